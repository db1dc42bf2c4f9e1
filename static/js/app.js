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
