// Small progressive enhancements; every page works without them.
document.addEventListener('change', (event) => {
  const target = event.target;
  if (target.matches('select[data-autosubmit]')) target.form.requestSubmit();
});
document.addEventListener('focusin', (event) => {
  if (event.target.matches('input[data-token]')) event.target.select();
});
// A destructive form or button carries data-confirm: ask before it posts.
// Without scripts the server asks on a page of its own instead.
document.addEventListener('submit', (event) => {
  const form = event.target;
  const asking = [event.submitter, form].find((node) => node?.dataset.confirm);
  if (!asking) return;
  if (!window.confirm(asking.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  if (!form.querySelector('input[name="confirmed"]')) {
    const confirmed = document.createElement('input');
    confirmed.type = 'hidden';
    confirmed.name = 'confirmed';
    confirmed.value = 'yes';
    form.append(confirmed);
  }
});

// A value shown once (a new token, a share link) gets a Copy button where
// the browser lets pages write to the clipboard.
document.querySelectorAll('button[data-copy]').forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = button.nextElementSibling;
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      if (status) status.textContent = button.dataset.copied;
    } catch {
      field.select();
      if (status) status.textContent = button.dataset.failed;
    }
  });
});

// A report chart too wide for a phone scrolls sideways (see app.css); while
// it does, the keyboard can reach it and scroll it with the arrow keys.
const scrollingCharts = new ResizeObserver((entries) => {
  for (const { target } of entries) {
    if (target.scrollWidth > target.clientWidth) target.tabIndex = 0;
    else target.removeAttribute('tabindex');
  }
});
document.querySelectorAll('figure.chart').forEach((figure) => {
  scrollingCharts.observe(figure);
});
