// Small progressive enhancements; every page works without them.
document.addEventListener('change', (event) => {
  const target = event.target;
  if (target.matches('select[data-autosubmit]')) target.form.requestSubmit();
});
document.addEventListener('focusin', (event) => {
  if (event.target.matches('input[data-token]')) event.target.select();
});
