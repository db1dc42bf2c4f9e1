// The extension page: find the installed extension and connect it in one step.
//
// The page and the extension's content script share only window messages, so
// every message names its type and is accepted only from this window and
// this origin.
const PING = 'ledgerium:ping';
const PONG = 'ledgerium:pong';
const CONNECT = 'ledgerium:connect';
const ASKING = 'ledgerium:connect-asking';
const CONNECTED = 'ledgerium:connected';
const REFUSED = 'ledgerium:connect-refused';
const ANSWER_TIMEOUT_MS = 3000;

const presence = document.querySelector('[data-extension-presence]');
const form = document.querySelector('form[data-extension-connect]');
const status = document.querySelector('[data-extension-status]');
let waitingForAnswer = null;

// Settles true once the extension answers the ping, false when it stays
// silent: a token is minted only for an extension that is there to take it.
let extensionAnswered;
const extensionFound = new Promise((resolve) => {
  extensionAnswered = resolve;
});

function say(element, text, isError = false) {
  if (!element) return;
  element.textContent = text;
  element.classList.toggle('error-message', isError);
}

function showTokenToPaste(server, token) {
  const box = document.createElement('div');
  box.id = 'connect-paste';
  box.className = 'card notice';
  const intro = document.createElement('p');
  intro.textContent =
    'The extension did not answer. Paste these into its popup instead; ' +
    'the token is shown only once.';
  box.append(intro);
  for (const [id, label, value] of [
    ['connect-server', 'Server', server],
    ['connect-token', 'Token', token],
  ]) {
    const field = document.createElement('div');
    field.className = 'field';
    const labelElement = document.createElement('label');
    labelElement.htmlFor = id;
    labelElement.textContent = label;
    const input = document.createElement('input');
    input.id = id;
    input.className = 'token';
    input.readOnly = true;
    input.value = value;
    input.dataset.token = '';
    field.append(labelElement, input);
    box.append(field);
  }
  status.after(box);
}

function onMessage(event) {
  if (event.source !== window || event.origin !== location.origin) return;
  const message = event.data;
  if (!message || typeof message.type !== 'string') return;
  switch (message.type) {
    case PONG:
      say(presence, `Extension installed (version ${message.version || '?'}).`);
      presence.dataset.found = 'true';
      extensionAnswered(true);
      break;
    case ASKING:
      // The extension answered and waits for the agent's confirmation.
      clearTimeout(waitingForAnswer);
      say(status, 'Confirm in the dialog the extension shows.');
      break;
    case CONNECTED:
      if (message.server !== location.origin) return;
      clearTimeout(waitingForAnswer);
      document.getElementById('connect-paste')?.remove();
      say(status, 'Connected. The extension records into this organization.');
      status.dataset.connected = 'true';
      break;
    case REFUSED:
      clearTimeout(waitingForAnswer);
      say(status, `The extension refused: ${message.reason || 'no reason'}.`, true);
      break;
    default:
      // Our own outgoing messages arrive here too; anything else is not ours.
      break;
  }
}

function showNotInstalled() {
  say(status, '', true);
  const intro = document.createTextNode(
    'The extension did not answer: it is not installed in this browser, or ' +
      'this page was open before it was. '
  );
  const install = document.createElement('a');
  install.href = form.dataset.installUrl;
  install.textContent = 'Install it';
  const middle = document.createTextNode(
    ' and reload this page, or paste a token from the '
  );
  const tokens = document.createElement('a');
  tokens.href = form.dataset.tokensUrl;
  tokens.textContent = 'API tokens page';
  status.append(intro, install, middle, tokens, '.');
}

async function connect(event) {
  event.preventDefault();
  const button = form.querySelector('button');
  button.disabled = true;
  say(status, 'Looking for the extension…');
  if (!(await extensionFound)) {
    showNotInstalled();
    button.disabled = false;
    return;
  }
  say(status, 'Creating a token…');
  try {
    const response = await fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'X-CSRFToken': form.elements.csrfmiddlewaretoken.value,
      },
    });
    const body = await response.json();
    if (!response.ok) {
      say(status, body.error ? body.error.message : 'That did not work.', true);
      return;
    }
    say(status, 'Handing the token to the extension…');
    window.postMessage(
      { type: CONNECT, server: location.origin, token: body.token },
      location.origin,
    );
    waitingForAnswer = setTimeout(() => {
      say(status, 'No answer from the extension.', true);
      showTokenToPaste(body.server, body.token);
    }, ANSWER_TIMEOUT_MS);
  } catch (error) {
    say(status, 'The server could not be reached. Try again.', true);
  } finally {
    button.disabled = false;
  }
}

window.addEventListener('message', onMessage);
if (form) form.addEventListener('submit', connect);
window.postMessage({ type: PING }, location.origin);
setTimeout(() => {
  extensionAnswered(false);
  if (presence && !presence.dataset.found) {
    say(presence, 'The extension is not installed in this browser yet.');
  }
}, ANSWER_TIMEOUT_MS);
