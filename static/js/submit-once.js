// Send a form that posts once. A double click, or Enter pressed again while
// the answer is on its way, would post it twice: two invitations mailed, a
// step split twice. Once the browser sends such a form, its buttons are
// disabled until the next page shows.
//
// Listened for on window, so that the form's and the document's own
// listeners have their say first: a submission one of them stopped (a
// confirm dialog dismissed, a form sent with fetch instead) leaves the
// buttons as they were. A field the browser refuses stops the form before
// any submit event, so its buttons stay ready for the corrected value.
(() => {
  // Buttons disabled here, and not by the page, are marked with this.
  const MARK = 'disabledWhileSending';

  // The method and target the button pressed gives, or else the form's;
  // read as attributes, since a field named "method" hides form.method.
  const chosen = (event, name) => {
    const submitter = event.submitter;
    const value = submitter?.hasAttribute(`form${name}`)
      ? submitter.getAttribute(`form${name}`)
      : event.target.getAttribute(name);
    return (value ?? '').toLowerCase();
  };

  const replacesThisPage = (event) => {
    const target = chosen(event, 'target');
    return (
      chosen(event, 'method') === 'post' &&
      (target === '' || target === '_self')
    );
  };

  const submitButtons = (form) =>
    [...form.elements].filter(
      (element) => element.type === 'submit' || element.type === 'image',
    );

  window.addEventListener('submit', (event) => {
    const form = event.target;
    if (event.defaultPrevented || !replacesThisPage(event)) return;
    if (form.dataset.sending !== undefined) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = '';
    // Disabled only once this event is over: the browser leaves a disabled
    // button's name and value out of what the form sends, and the button
    // pressed may say what to do (Save or Remove).
    setTimeout(() => {
      submitButtons(form)
        .filter((button) => !button.disabled)
        .forEach((button) => {
          button.disabled = true;
          button.dataset[MARK] = '';
        });
    });
  });

  // A page the browser kept whole and shows again on Back is offered
  // ready, not waiting for an answer it will never get.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    document.querySelectorAll('form[data-sending]').forEach((form) => {
      delete form.dataset.sending;
      submitButtons(form)
        .filter((button) => button.dataset[MARK] !== undefined)
        .forEach((button) => {
          button.disabled = false;
          delete button.dataset[MARK];
        });
    });
  });
})();
