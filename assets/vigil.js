// Vigil's progressive enhancements. Every page works without this file.
import { initAll } from "./vendor/govuk-frontend.min.js";

// GOV.UK Frontend's components look for these classes; its template adds them with an inline script,
// which our Content Security Policy forbids, so they are added here.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Warn before the idle timeout, so that nobody loses what they are typing. The server sets the number of
// seconds until the warning in data-idle-warning-after on <body>; "Stay signed in" makes a request, which
// renews the session.
const body = document.body;
const warnAfter = Number(body.dataset.idleWarningAfter);
const banner = document.getElementById("idle-warning");
if (warnAfter > 0 && banner) {
  let timer;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      banner.hidden = false;
      banner.focus();
    }, warnAfter * 1000);
  };
  banner.querySelector("button")?.addEventListener("click", async () => {
    const response = await fetch("/session/keep-alive", { credentials: "same-origin" });
    if (response.ok) {
      banner.hidden = true;
      arm();
    }
  });
  arm();
}

// Save the concern form as a draft while the person types, a few seconds after they stop, so that
// nothing is lost to a dropped signal or a timed-out session. The server keeps it sealed, for them only.
const autosave = document.querySelector("form[data-autosave]");
if (autosave) {
  const status = autosave.querySelector(".vigil-autosave");
  let timer;
  autosave.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const response = await fetch(autosave.dataset.autosave, {
        method: "POST",
        body: new URLSearchParams(new FormData(autosave)),
        credentials: "same-origin",
        redirect: "manual",
      });
      if (status && (response.ok || response.type === "opaqueredirect")) {
        status.textContent = "Draft saved";
      }
    }, 3000);
  });
}

// A print button where printing needs a script: shown only when it can work.
for (const button of document.querySelectorAll("[data-vigil-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
