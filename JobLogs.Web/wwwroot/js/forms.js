// Filters that apply as soon as they change: a <select data-autosubmit> submits its form; the project picker opens the project.
document.addEventListener("change", event => {
  const select = event.target.closest("select");
  if (!select) return;
  if (select.dataset.navigate !== undefined) location.href = select.dataset.navigate + encodeURIComponent(select.value);
  else if (select.dataset.autosubmit !== undefined) select.form?.submit();
});
