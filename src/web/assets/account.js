// The account page: the Copy button beside a new token.
const button = document.getElementById('copy-token');
if (button) {
  button.addEventListener('click', async () => {
    const field = document.getElementById(button.dataset.copy);
    const status = document.getElementById('copy-status');
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = 'Copied to the clipboard.';
    } catch (e) {
      field.select();
      status.textContent = document.execCommand('copy') ? 'Copied to the clipboard.' : 'Select the token and copy it.';
    }
  });
}
