// Edit a step where it stands in the SOP. Each step's forms sit in a
// <details> under it, which opens and closes without this script; with it,
// opening moves focus into the forms, and Cancel or Escape closes them,
// drops what was typed and gives focus back to the step's Edit control.
(() => {
  const firstField = (details) =>
    details.querySelector('[aria-invalid="true"]') ??
    details.querySelector('input:not([type="hidden"]), select, textarea');

  const close = (details) => {
    details.querySelectorAll('form').forEach((form) => form.reset());
    details.open = false;
    details.querySelector('summary').focus();
  };

  document.querySelectorAll('[data-step-edit]').forEach((details) => {
    const summary = details.querySelector('summary');
    // Opened here rather than by the summary's own action, so that focus
    // moves into the forms as they show.
    summary.addEventListener('click', (event) => {
      if (details.open) return;
      event.preventDefault();
      details.open = true;
      firstField(details).focus();
    });
    const cancel = details.querySelector('[data-step-edit-cancel]');
    cancel.hidden = false;
    cancel.addEventListener('click', () => close(details));
    details.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !details.open) return;
      event.preventDefault();
      close(details);
    });
  });
})();
