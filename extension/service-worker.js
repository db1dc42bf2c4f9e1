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

listenToMessages();
listenToTabs();

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === UPLOAD_ALARM) pump();
});

// Tab ids do not survive a browser restart: let the recording adopt the
// tab the agent works in next.
chrome.runtime.onStartup.addListener(async () => {
  await updateRecording((recording) => {
    recording.tabs = [];
    recording.activeTab = null;
    recording.adoptTab = true;
  });
  pump();
});

pump();
