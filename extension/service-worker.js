// The recorder's service worker. The browser stops it whenever it likes;
// everything it knows lives in chrome.storage.local, so on every start it
// simply picks the upload up where it was.
import './lib/messages.js';
import './lib/redact.js';
import './lib/events.js';
import './lib/upload.js';
import './lib/connect.js';
import { listenToMessages } from './sw-messages.js';
import { listenToTabs } from './sw-tabs.js';
import { pump, UPLOAD_ALARM } from './sw-upload.js';
import { updateRecording } from './sw-store.js';

// Messages wait until a restart has been noticed, so that a capture from
// a new tab is not refused for a tab id of the last session.
const ready = adoptTabsAfterRestart().catch((error) => {
  console.warn('Could not check for a browser restart: %s', error.message);
});
listenToMessages(ready);
listenToTabs();

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === UPLOAD_ALARM) pump();
});

// Tab ids do not survive a browser restart: let the recording adopt the
// tab the agent works in next. chrome.storage.session is empty once per
// browser session, which tells a restart from a worker that merely woke up
// (runtime.onStartup does not fire for every kind of launch).
async function adoptTabsAfterRestart() {
  const { sessionStarted } = await chrome.storage.session.get('sessionStarted');
  if (sessionStarted) return;
  await chrome.storage.session.set({ sessionStarted: Date.now() });
  await updateRecording((recording) => {
    recording.tabs = [];
    recording.activeTab = null;
    recording.adoptTab = true;
  });
}

ready.then(pump);
