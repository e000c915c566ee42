// After a passkey is added (django-otp-webauthn's register script announces it), show the page again:
// the new passkey in the list, and the confirmation the server set.
document.addEventListener("otp_webauthn.register_complete", () => {
  window.location.reload();
});
