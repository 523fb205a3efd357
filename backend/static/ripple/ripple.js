// Ripple's page script: forms that survive a dropped connection, and the service worker.
//
// Every form that writes gets an Idempotency-Key when it opens. Its submission is sent with
// fetch, carrying that key; when the phone is offline, or the request dies on the way, the
// submission is kept in localStorage (key and all) and the page says "Waiting to send (N)".
// The outbox is sent again when the connection returns (the online event, and a retry with
// backoff), always with the key it was made with, so the server replays its first answer
// instead of saving twice. A form marked data-ripple-plain submits the ordinary way.

const OUTBOX = "ripple-outbox";
// Sent from the outbox but refused (a field the server would not take): kept, answer and
// all, so the person can see why and put it right instead of typing it all again.
const REFUSED = "ripple-refused";
const PAGES_CACHE = "ripple-pages";
const FIRST_RETRY_MS = 2000;
const LAST_RETRY_MS = 60000;

const signInPath = "/accounts/login/";
let retryDelay = FIRST_RETRY_MS;
let retryTimer = null;
let flushing = false;

function userId() {
  return document.body.dataset.user || "";
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; an http intranet address is not one.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function readList(name) {
  try {
    return JSON.parse(localStorage.getItem(name)) || [];
  } catch {
    return [];
  }
}

function writeList(name, items) {
  localStorage.setItem(name, JSON.stringify(items));
}

const readOutbox = () => readList(OUTBOX);
const writeOutbox = (items) => writeList(OUTBOX, items);

function mine(items) {
  return items.filter((item) => item.user === userId());
}

function say(text) {
  const status = document.getElementById("ripple-outbox");
  if (status && status.textContent !== text) status.textContent = text;
}

function showOutbox() {
  const waiting = mine(readOutbox()).length;
  say(waiting ? `Waiting to send (${waiting})` : "");
  const check = document.getElementById("ripple-check");
  const refused = mine(readList(REFUSED)).length;
  if (check) {
    check.hidden = !refused;
    check.textContent = `Check what could not be sent (${refused})`;
  }
}

function csrfToken() {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  if (cookie) return decodeURIComponent(cookie.slice("csrftoken=".length));
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

function send(item) {
  return fetch(item.url, {
    method: "POST",
    body: item.body,
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Idempotency-Key": item.key,
      "X-CSRFToken": csrfToken(),
    },
  });
}

function signedOut(response) {
  return response.redirected && new URL(response.url).pathname === signInPath;
}

// Worth sending again later: the server never got it, or could not deal with it yet.
function transient(response) {
  return response.status === 409 || response.status >= 500 || signedOut(response);
}

function openForms(root) {
  for (const form of root.querySelectorAll("form[method=post]:not([data-ripple-plain])")) {
    form.dataset.key = newKey();
  }
}

// Show the page the server answered with (the next page after a save, or the form with
// its errors) without fetching it again: a second GET would lose its one-off messages.
async function showPage(response) {
  showHtml(await response.text(), response.url);
}

function showHtml(html, url) {
  const page = new DOMParser().parseFromString(html, "text/html");
  document.title = page.title;
  document.body.replaceWith(document.adoptNode(page.body));
  if (url !== window.location.href) {
    window.history.pushState({ ripple: true }, "", url);
  }
  shownAddress = address(url);
  window.scrollTo(0, 0);
  openForms(document);
  showOutbox();
  document.dispatchEvent(new CustomEvent("ripple:page"));
  const first = document.querySelector(".nhsuk-error-summary, .nhsuk-notification-banner, h1");
  if (first) {
    first.setAttribute("tabindex", "-1");
    first.focus();
  }
}

// The history entries made above hold no page of their own: going back or forward to
// another address loads it for real (a jump within the page, such as the skip link, does not).
function address(url) {
  const { pathname, search } = new URL(url);
  return pathname + search;
}
let shownAddress = address(window.location.href);
window.addEventListener("popstate", () => {
  if (address(window.location.href) !== shownAddress) window.location.reload();
});

function keep(item, form) {
  const items = readOutbox();
  if (!items.some((kept) => kept.key === item.key)) items.push(item);
  writeOutbox(items);
  form.reset();
  form.dataset.key = newKey();
  const note = document.createElement("div");
  note.className = "nhsuk-inset-text ripple-kept";
  note.innerHTML =
    "<span class='nhsuk-u-visually-hidden'>Information: </span>" +
    "<p>Saved on this phone. It will be sent when the connection returns.</p>";
  note.setAttribute("tabindex", "-1");
  form.before(note);
  note.focus();
  showOutbox();
  scheduleRetry();
}

async function submit(event) {
  const form = event.target;
  // Read the attributes: a control named "action" or "method" shadows the properties.
  if (!(form instanceof HTMLFormElement)) return;
  if ((form.getAttribute("method") || "").toLowerCase() !== "post") return;
  if (form.hasAttribute("data-ripple-plain") || !form.dataset.key) return;
  event.preventDefault();
  const data = new FormData(form, event.submitter);
  data.delete("csrfmiddlewaretoken");
  if (form.getAttribute("enctype") === "multipart/form-data") {
    await sendFiles(form, data, event.submitter);
    return;
  }
  const item = {
    key: form.dataset.key,
    url: new URL(form.getAttribute("action") || "", window.location.href).href,
    body: new URLSearchParams(data).toString(),
    label: document.title,
    user: userId(),
  };
  // Offline, the server cannot point out a missing field, so the browser does.
  const checkFirst = () => form.checkValidity() || (form.reportValidity(), false);
  if (!navigator.onLine) {
    if (checkFirst()) keep(item, form);
    return;
  }
  const button = event.submitter;
  if (button) button.disabled = true;
  let response;
  try {
    response = await send(item);
  } catch {
    if (button) button.disabled = false;
    if (checkFirst()) keep(item, form);
    return;
  }
  if (button) button.disabled = false;
  if (transient(response)) {
    keep(item, form);
  } else {
    await showPage(response);
  }
}

// A form with files (a photo, a CSV) is sent as it is, with its key; it cannot wait in
// the outbox (localStorage holds text), so offline the person is asked to send it later.
async function sendFiles(form, data, button) {
  const note = (text) => {
    let kept = form.querySelector(".ripple-files-note");
    if (!kept) {
      kept = document.createElement("p");
      kept.className = "nhsuk-inset-text ripple-files-note";
      kept.setAttribute("role", "status");
      form.prepend(kept);
    }
    kept.textContent = text;
  };
  const offline = "There is no connection. Files are sent only online: try again when you are back online.";
  if (!navigator.onLine) {
    note(offline);
    return;
  }
  if (button) button.disabled = true;
  let response;
  try {
    response = await fetch(new URL(form.getAttribute("action") || "", window.location.href), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Idempotency-Key": form.dataset.key, "X-CSRFToken": csrfToken() },
    });
  } catch {
    note(offline);
    return;
  } finally {
    if (button) button.disabled = false;
  }
  if (transient(response)) {
    note("It could not be sent just now. Try again in a moment.");
  } else {
    await showPage(response);
  }
}

function scheduleRetry() {
  if (retryTimer || !mine(readOutbox()).length) return;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    flush();
  }, retryDelay);
  retryDelay = Math.min(retryDelay * 2, LAST_RETRY_MS);
}

function drop(key) {
  writeOutbox(readOutbox().filter((item) => item.key !== key));
}

async function flush() {
  if (flushing) return;
  flushing = true;
  let sent = 0;
  let stuck = false;
  let refused = 0;
  try {
    for (const item of mine(readOutbox())) {
      let response;
      try {
        response = await send(item);
      } catch {
        stuck = true;
        break;
      }
      if (transient(response)) {
        stuck = true;
        break;
      }
      if (response.ok) {
        sent += 1;
      } else {
        refused += 1;
        const html = await response.text();
        writeList(REFUSED, [...readList(REFUSED), { ...item, url: response.url, html }]);
      }
      drop(item.key);
    }
  } finally {
    flushing = false;
  }
  showOutbox();
  if (stuck) {
    scheduleRetry();
    return;
  }
  retryDelay = FIRST_RETRY_MS;
  // "Saved on this phone" is no longer true once the outbox is empty; the status says what
  // became of it.
  if (sent || refused) {
    for (const note of document.querySelectorAll(".ripple-kept")) note.remove();
  }
  if (refused) {
    say(`Not sent: ${refused}. Check it, put it right and save it again.`);
  } else if (sent) {
    say(`Sent: ${sent} saved on this phone.`);
  }
}

async function signOut(event) {
  const form = event.target;
  if (!form.matches || !form.matches("[data-ripple-sign-out]")) return;
  // Pages kept for offline use belong to this person: forget them on the way out.
  if (window.caches) {
    event.preventDefault();
    await caches.delete(PAGES_CACHE).catch(() => {});
    form.submit();
  }
}

// A ratio measure (p or u chart) takes a numerator and denominator, any other a value.
function showMeasureFields(form) {
  const ratioIds = form.dataset.ratioMeasures.split(",");
  const measure = form.elements.measure;
  const ratio = Boolean(measure && measure.value && ratioIds.includes(measure.value));
  for (const group of form.querySelectorAll("[data-ratio-group]")) {
    group.hidden = (group.dataset.ratioGroup === "ratio") !== ratio;
  }
}

// What a form shows beside itself as the person types (registering a project: the aim in
// one sentence and what was tried before), asked of the server a moment after typing stops.
// The form says where to ask (data-ripple-preview) and where to show it; once shown, the
// hidden field data-ripple-seen is set, so the form need not show it again on a confirm step.
const previewTimers = new WeakMap();

async function preview(form) {
  const into = document.getElementById(form.dataset.ripplePreviewInto);
  if (!into) return;
  const data = new FormData(form);
  data.delete("csrfmiddlewaretoken");
  try {
    const response = await fetch(`${form.dataset.ripplePreview}?${new URLSearchParams(data)}`, {
      credentials: "same-origin",
    });
    if (!response.ok) return;
    into.innerHTML = await response.text();
    into.hidden = false;
    const seen = form.elements[form.dataset.rippleSeen];
    if (seen) seen.value = "True";
  } catch {
    // Offline: the confirm step shows the same when the form is sent.
  }
}

function previewSoon(form) {
  clearTimeout(previewTimers.get(form));
  previewTimers.set(form, setTimeout(() => preview(form), 400));
}

// A part of the form that depends on one of its fields (the aims that reach the chosen
// ward), fetched again from the page itself when that field changes:
// data-ripple-refresh="field-name:element-id".
async function refreshPart(form, name) {
  const [field, id] = (form.dataset.rippleRefresh || "").split(":");
  if (field !== name || !document.getElementById(id)) return;
  const url = new URL(window.location.href);
  url.searchParams.set(field, form.elements[field].value);
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById(id);
    if (fresh) document.getElementById(id).replaceWith(document.adoptNode(fresh));
  } catch {
    // Offline: the server checks the choice when the form is sent.
  }
}

document.addEventListener("input", (event) => {
  const form = event.target.form;
  if (form && form.dataset.ripplePreview !== undefined) previewSoon(form);
});
document.addEventListener("change", (event) => {
  const form = event.target.form;
  if (form && form.dataset.rippleRefresh !== undefined) refreshPart(form, event.target.name);
});
function previewTyped(root) {
  for (const form of root.querySelectorAll("form[data-ripple-preview]")) {
    const typed = [...form.elements].some(
      (field) => ["text", "textarea"].includes(field.type) && field.value.trim(),
    );
    if (typed) preview(form);
  }
}
document.addEventListener("ripple:page", () => previewTyped(document));
previewTyped(document);

document.addEventListener("change", (event) => {
  const form = event.target.form;
  if (form && form.dataset.ratioMeasures !== undefined && event.target.name === "measure") {
    showMeasureFields(form);
  }
});
document.addEventListener("click", (event) => {
  if (event.target.id !== "ripple-check") return;
  const item = mine(readList(REFUSED))[0];
  if (!item) return;
  writeList(
    REFUSED,
    readList(REFUSED).filter((kept) => kept.key !== item.key),
  );
  showHtml(item.html, item.url);
});
document.addEventListener("submit", signOut);
document.addEventListener("submit", submit);
window.addEventListener("online", () => {
  retryDelay = FIRST_RETRY_MS;
  flush();
});
openForms(document);
showOutbox();
if (navigator.onLine) flush();

const script = document.querySelector("script[data-service-worker]");
if (script && "serviceWorker" in navigator) {
  navigator.serviceWorker.register(script.dataset.serviceWorker).catch(() => {});
}

// The NHS.UK components. Their URL comes from the page (it carries a content hash in
// production, and is what the service worker keeps), and no script is written inline, so
// the Content-Security-Policy allows scripts from this site only.
if (script && script.dataset.nhsukFrontend) {
  import(script.dataset.nhsukFrontend).then(({ initAll }) => {
    // What NHS.UK's template snippet does: this browser runs modules, so it is supported.
    const start = () => {
      document.body.classList.add("nhsuk-frontend-supported");
      initAll();
    };
    start();
    // A page shown in place after a form was sent (see showPage) needs its components too.
    document.addEventListener("ripple:page", start);
  });
}
