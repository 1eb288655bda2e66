// Dismiss the cookie banners of the demo site; nothing is stored.
document.addEventListener("click", (event) => {
  const banner = event.target.closest(".cookie-notice, .consent-banner, .cookie-strip, .cmp-banner");
  if (banner && event.target.tagName === "BUTTON") banner.remove();
});
