// klimabot web chat: events come down as server-sent events, actions go up as small JSON posts
// (see web/PROTOCOL.md). Server text only ever reaches the page through textContent / text nodes.
'use strict';

(() => {
  const API = '/chat/api';
  const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
  const PAGE_SIZE = 500; // the history endpoint returns at most this many events per call
  const BUSY_TIMEOUT_MS = 45000; // stop showing "schreibt …" if no answer comes
  const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

  const TEXT = {
    offline: 'Keine Verbindung – bitte später erneut versuchen.',
    reconnecting: 'Verbindung unterbrochen – ich versuche es weiter …',
    unauthorized: 'Ihre Sitzung ist abgelaufen. Bitte laden Sie die Seite neu.',
    tooMany: 'Sie haben gerade sehr viele Nachrichten geschickt. Bitte warten Sie einen Moment.',
    unavailable: 'Der klimabot ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut.',
    failed: 'Das hat leider nicht geklappt. Bitte versuchen Sie es erneut.',
    fileTooLarge: 'Die Datei ist zu groß. Bitte wählen Sie eine Datei mit höchstens 10 MB.',
    fileType: 'Bitte wählen Sie ein Foto oder eine PDF-Datei.',
    uploading: 'Die Datei wird hochgeladen …',
    uploaded: 'Die Datei wurde gesendet.',
    badEmail: 'Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@gemeinde.de.',
    emailSaved: 'Gespeichert: Antworten kommen auch per E-Mail.',
    emailRemoved: 'Die E-Mail-Adresse wurde entfernt.',
    emailNone: 'Derzeit ist keine Adresse gespeichert.',
    emailCurrent: (email) => `Antworten gehen auch an ${email}.`,
    bot: 'klimabot:',
    user: 'Sie:',
    newWindow: ' (öffnet ein neues Fenster)',
    download: (name) => `${name} herunterladen`,
  };

  const $ = (id) => document.getElementById(id);
  const log = $('log');
  const typing = $('typing');
  const statusLine = $('status');
  const alertBox = $('alert-box');
  const alertText = $('alert');
  const alertClose = $('alert-close');
  const composer = $('composer');
  const field = $('message');
  const fileInput = $('file');
  const emailForm = $('email-form');
  const emailInput = $('reply-email');
  const emailCurrent = $('email-current');
  const commandNav = $('commands');
  const commandMenu = $('commands-menu');
  const commandList = $('command-list');

  const embedded = new URLSearchParams(location.search).get('embed') === '1';
  const narrow = () => embedded || window.matchMedia('(max-width: 40rem)').matches;

  const seen = new Set(); // event ids already handled (history and live events overlap)
  let lastId = 0;
  let stickToBottom = true; // set when the visitor acts, so the answer comes into view

  // ---------------------------------------------------------------- small DOM helpers

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function hiddenText(text) {
    return el('span', 'visually-hidden', text);
  }

  /** The URL as an absolute href if its protocol is allowed, else null. */
  function safeUrl(value, protocols = LINK_PROTOCOLS, base = undefined) {
    if (typeof value !== 'string' || !value) return null;
    try {
      const url = new URL(value, base);
      return protocols.has(url.protocol) ? url.href : null;
    } catch {
      return null;
    }
  }

  function externalLink(href, className) {
    const link = el('a', className);
    link.href = href;
    link.rel = 'noopener noreferrer';
    link.target = '_blank';
    return link;
  }

  // ---------------------------------------------------------------- status line and alerts

  let statusKind = '';

  /** kind: 'info', 'error' or 'connection' (the last one is cleared when the connection is back). */
  function setStatus(text, kind = 'info') {
    statusKind = text ? kind : '';
    statusLine.textContent = text;
    if (statusKind) statusLine.dataset.kind = statusKind;
    else delete statusLine.dataset.kind;
  }

  function clearStatus(kind) {
    if (!kind || statusKind === kind) setStatus('');
  }

  function showError(error) {
    setStatus(error instanceof ChatError ? error.message : TEXT.failed, 'error');
  }

  function showAlert(text) {
    alertText.textContent = text;
    alertBox.classList.add('open');
    alertClose.hidden = false;
  }

  function closeAlert() {
    const hadFocus = alertBox.contains(document.activeElement);
    alertText.textContent = '';
    alertBox.classList.remove('open');
    alertClose.hidden = true;
    if (hadFocus) field.focus(); // the button disappears: do not leave focus on nothing
  }

  alertClose.addEventListener('click', closeAlert);

  // ---------------------------------------------------------------- HTTP

  class ChatError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status; // 0: no connection
    }
  }

  function fallbackError(status) {
    if (status === 401) return TEXT.unauthorized;
    if (status === 413) return TEXT.fileTooLarge;
    if (status === 429) return TEXT.tooMany;
    if (status >= 500) return TEXT.unavailable;
    return TEXT.failed;
  }

  /** fetch that resolves to the JSON body or throws a ChatError with a German sentence to show. */
  async function request(url, options = {}) {
    let response;
    try {
      response = await fetch(url, { credentials: 'same-origin', ...options });
    } catch {
      throw new ChatError(TEXT.offline, 0);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null; // an empty 202 or a proxy's HTML page
    }
    if (!response.ok) {
      const message = data && typeof data.error === 'string' && data.error.trim() ? data.error : fallbackError(response.status);
      throw new ChatError(message, response.status);
    }
    return data || {};
  }

  function getJSON(url) {
    return request(url, { headers: { Accept: 'application/json' } });
  }

  function postJSON(url, payload) {
    return request(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    });
  }

  // ---------------------------------------------------------------- "klimabot schreibt …"

  let busyTimer = 0;

  function setBusy(on) {
    clearTimeout(busyTimer);
    typing.hidden = !on;
    if (on) {
      log.setAttribute('aria-busy', 'true');
      busyTimer = setTimeout(() => setBusy(false), BUSY_TIMEOUT_MS);
    } else {
      log.removeAttribute('aria-busy');
    }
  }

  // ---------------------------------------------------------------- rendering messages

  const INLINE_TAGS = [['code', 'code'], ['s', 's'], ['u', 'u'], ['i', 'em'], ['b', 'strong']];

  function renderPart(part, text) {
    let node = document.createTextNode(text);
    for (const [flag, tag] of INLINE_TAGS) {
      if (part[flag] && !(flag === 'code' && part.pre)) {
        const wrapper = el(tag);
        wrapper.append(node);
        node = wrapper;
      }
    }
    if (part.spoiler) {
      const wrapper = el('span', 'spoiler');
      wrapper.append(node);
      node = wrapper;
    }
    const href = part.href ? safeUrl(part.href) : null;
    if (href) {
      const link = externalLink(href);
      link.append(node);
      if (/^https?:/.test(href)) link.append(hiddenText(TEXT.newWindow));
      node = link;
    }
    return node;
  }

  /** The parts as one block; consecutive `pre` / `quote` parts share one <pre> / <blockquote>. */
  function renderParts(parts) {
    const box = el('div', 'text');
    let block = null;
    let blockKind = '';
    for (const part of parts) {
      if (!part || typeof part !== 'object') continue;
      let text = String(part.text ?? '');
      const kind = part.pre ? 'pre' : part.quote ? 'quote' : '';
      if (kind !== blockKind) {
        // a block already ends the line: drop the line break right after it
        if (blockKind && !kind) text = text.replace(/^\n/, '');
        block = kind ? box.appendChild(el(kind === 'pre' ? 'pre' : 'blockquote')) : null;
        blockKind = kind;
      }
      if (text) (block || box).append(renderPart(part, text));
    }
    return box.childNodes.length ? box : null;
  }

  function renderButtons(rows, messageId) {
    const group = el('div', 'buttons');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Antwortmöglichkeiten');
    for (const row of rows) {
      if (!Array.isArray(row)) continue;
      const line = el('div', 'button-row');
      for (const spec of row) {
        if (!spec || typeof spec.text !== 'string') continue;
        const href = spec.url ? safeUrl(spec.url) : null;
        if (href) {
          const link = externalLink(href, 'button-link');
          const arrow = el('span', 'external', ' ↗');
          arrow.setAttribute('aria-hidden', 'true');
          link.append(spec.text, arrow, hiddenText(TEXT.newWindow));
          line.append(link);
        } else if (typeof spec.data === 'string') {
          const button = el('button', 'reply', spec.text);
          button.type = 'button';
          button.dataset.data = spec.data; // to find it again after an edit
          button.addEventListener('click', () => press(messageId, spec.data));
          line.append(button);
        }
      }
      if (line.childElementCount) group.append(line);
    }
    return group.childElementCount ? group : null;
  }

  function formatSize(bytes) {
    if (typeof bytes !== 'number' || !(bytes >= 0)) return '';
    const number = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 1 });
    if (bytes < 1024 * 1024) return `${number.format(Math.max(bytes / 1024, 0.1))} KB`;
    return `${number.format(bytes / (1024 * 1024))} MB`;
  }

  function renderDocument(doc) {
    if (!doc || typeof doc !== 'object') return null;
    // documents normally live on this server (/chat/api/files/…): resolve relative to the page
    const href = safeUrl(doc.url, new Set(['http:', 'https:']), location.href);
    if (!href) return null;
    const name = typeof doc.name === 'string' && doc.name.trim() ? doc.name : 'Datei';
    const box = el('p', 'document');
    const link = el('a');
    link.href = href;
    link.download = name;
    const icon = el('span', 'icon', '📎 ');
    icon.setAttribute('aria-hidden', 'true');
    link.append(icon, TEXT.download(name));
    box.append(link);
    const size = formatSize(doc.size);
    if (size) box.append(el('span', 'size', ` (${size})`));
    return box;
  }

  function formatTime(iso) {
    const date = new Date(iso);
    if (typeof iso !== 'string' || Number.isNaN(date.getTime())) return '';
    const today = date.toDateString() === new Date().toDateString();
    const options = today
      ? { hour: '2-digit', minute: '2-digit' }
      : { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' };
    return date.toLocaleString('de-DE', options);
  }

  function isStart(event) {
    return Array.isArray(event.parts) && event.parts.length === 1 && event.parts[0].text === '/start';
  }

  function renderMessage(event) {
    const from = event.from === 'user' ? 'user' : 'bot';
    const item = el('div', `message ${from}`);
    item.dataset.messageId = String(event.message_id);
    item.tabIndex = -1; // a place for focus when the button that had it is edited away
    item.append(hiddenText(from === 'user' ? TEXT.user : TEXT.bot));
    const text = Array.isArray(event.parts) ? renderParts(event.parts) : null;
    const doc = renderDocument(event.document);
    const buttons = Array.isArray(event.buttons) ? renderButtons(event.buttons, event.message_id) : null;
    for (const part of [text, doc, buttons]) if (part) item.append(part);
    const when = formatTime(event.time);
    if (when) {
      const time = el('time', 'time', when);
      time.dateTime = event.time;
      item.append(time);
    }
    return item;
  }

  function findMessage(messageId) {
    return log.querySelector(`[data-message-id="${CSS.escape(String(messageId))}"]`);
  }

  function replaceMessage(event) {
    const old = findMessage(event.message_id);
    const fresh = renderMessage(event);
    if (!old) {
      log.append(fresh);
      return;
    }
    const focused = old.contains(document.activeElement) ? document.activeElement : null;
    old.replaceWith(fresh);
    if (focused) {
      // keep keyboard users where they were: the same button if it is still there, else the message
      const buttons = [...fresh.querySelectorAll('button')];
      const same = buttons.find((b) => b.dataset.data === focused.dataset.data && b.textContent === focused.textContent);
      (same || buttons[0] || fresh).focus({ preventScroll: true });
    }
  }

  function removeMessage(messageId) {
    const old = findMessage(messageId);
    if (!old) return;
    const hadFocus = old.contains(document.activeElement);
    old.remove();
    if (hadFocus) log.focus({ preventScroll: true });
  }

  // ---------------------------------------------------------------- events

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  /** live: false while replaying the history (old notices are not shown again). */
  function handleEvent(event, live) {
    if (!event || typeof event !== 'object') return;
    const id = Number(event.id);
    if (!Number.isFinite(id) || seen.has(id)) return;
    seen.add(id);
    lastId = Math.max(lastId, id);

    const follow = live && (stickToBottom || nearBottom());
    switch (event.type) {
      case 'message':
        // the greeting's /start is sent by the page itself: the visitor never typed it
        if (event.from === 'user' && isStart(event)) break;
        log.append(renderMessage(event));
        break;
      case 'edit':
        replaceMessage(event);
        break;
      case 'delete':
        removeMessage(event.message_id);
        break;
      case 'notice':
        if (!live || typeof event.text !== 'string' || !event.text) break;
        setStatus(event.text, 'info');
        if (event.alert) showAlert(event.text);
        break;
      default:
        return; // unknown kinds of event: ignore
    }
    if (live && (event.type === 'notice' || ((event.type === 'message' || event.type === 'edit') && event.from !== 'user'))) {
      setBusy(false);
      stickToBottom = false;
    }
    if (follow) scrollToEnd();
  }

  // ---------------------------------------------------------------- start: me, history, live events

  async function loadMe() {
    const me = await getJSON(`${API}/me`);
    showEmail(typeof me.email === 'string' ? me.email : null);
    renderCommands(Array.isArray(me.commands) ? me.commands : []);
  }

  async function loadHistory() {
    for (;;) {
      const page = await getJSON(`${API}/history?after=${lastId}`);
      const events = Array.isArray(page.events) ? page.events : [];
      const before = lastId;
      for (const event of events) handleEvent(event, false);
      if (events.length < PAGE_SIZE || lastId === before) break;
    }
  }

  let meLoaded = false;
  let startSent = false;

  async function start() {
    try {
      if (!meLoaded) {
        await loadMe();
        meLoaded = true;
      }
      await loadHistory();
    } catch (error) {
      showError(error);
      // a network hiccup or a restarting server: try again by ourselves
      if (error instanceof ChatError && (error.status === 0 || error.status >= 500)) setTimeout(start, 10000);
      return;
    }
    clearStatus('error');
    scrollToEnd();
    connect();
    if (seen.size === 0 && !startSent) {
      startSent = true; // a new visitor: let the bot greet
      sendText('/start');
    }
  }

  let source = null;
  let retryDelay = 2000;

  function connect() {
    source = new EventSource(`${API}/events?after=${lastId}`);
    source.addEventListener('open', () => {
      retryDelay = 2000;
      // back online: a "Keine Verbindung" from a failed post is no longer true either
      if (statusKind === 'connection' || statusLine.textContent === TEXT.offline) setStatus('');
    });
    source.addEventListener('message', (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      handleEvent(event, true);
    });
    source.addEventListener('error', () => {
      setStatus(TEXT.reconnecting, 'connection');
      // EventSource retries by itself, but gives up for good on an HTTP error (e.g. a proxy's 502)
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 60000);
      }
    });
  }

  // ---------------------------------------------------------------- actions

  async function sendText(text) {
    stickToBottom = true;
    setBusy(true);
    try {
      await postJSON(`${API}/send`, { text });
      clearStatus('error');
      return true;
    } catch (error) {
      setBusy(false);
      showError(error);
      return false;
    }
  }

  async function press(messageId, data) {
    stickToBottom = true;
    setBusy(true);
    try {
      await postJSON(`${API}/press`, { message_id: messageId, data });
      clearStatus('error');
    } catch (error) {
      setBusy(false);
      showError(error);
    }
  }

  let sending = false;

  async function submitMessage() {
    const text = field.value.trim();
    field.focus();
    if (!text || sending) return;
    sending = true;
    field.value = '';
    const sent = await sendText(text);
    sending = false;
    if (!sent && !field.value) field.value = text; // give the text back so nothing is lost
  }

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    submitMessage();
  });

  field.addEventListener('keydown', (event) => {
    // Enter sends, Shift+Enter is a new line; never interrupt an input method's composition
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitMessage();
    }
  });

  let uploading = false;

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files && fileInput.files[0];
    if (!file || uploading) return;
    if (file.size > MAX_UPLOAD_BYTES) {
      fileInput.value = '';
      setStatus(TEXT.fileTooLarge, 'error');
      return;
    }
    if (file.type && !file.type.startsWith('image/') && file.type !== 'application/pdf') {
      fileInput.value = '';
      setStatus(TEXT.fileType, 'error');
      return;
    }
    const body = new FormData();
    body.append('file', file, file.name);
    uploading = true;
    stickToBottom = true;
    setBusy(true);
    setStatus(TEXT.uploading, 'info');
    try {
      // no Content-Type header: the browser sets the multipart boundary itself
      await request(`${API}/upload`, { method: 'POST', credentials: 'same-origin', body });
      setStatus(TEXT.uploaded, 'info');
    } catch (error) {
      setBusy(false);
      showError(error);
    } finally {
      uploading = false;
      fileInput.value = '';
    }
  });

  function showEmail(email) {
    emailInput.value = email || '';
    emailCurrent.textContent = email ? TEXT.emailCurrent(email) : TEXT.emailNone;
  }

  emailForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = emailInput.value.trim();
    if (email && !emailInput.checkValidity()) {
      emailInput.setAttribute('aria-invalid', 'true');
      setStatus(TEXT.badEmail, 'error');
      emailInput.focus();
      return;
    }
    emailInput.removeAttribute('aria-invalid');
    try {
      const result = await postJSON(`${API}/email`, { email });
      const saved = typeof result.email === 'string' && result.email ? result.email : null;
      showEmail(saved);
      setStatus(saved ? TEXT.emailSaved : TEXT.emailRemoved, 'info');
    } catch (error) {
      showError(error);
    }
  });

  function renderCommands(commands) {
    commandList.replaceChildren();
    for (const command of commands) {
      if (!command || typeof command.command !== 'string') continue;
      const label = typeof command.description === 'string' && command.description ? command.description : command.command;
      const button = el('button', 'command', label);
      button.type = 'button';
      button.addEventListener('click', () => {
        sendText(command.command);
        if (narrow()) {
          // on a small screen the open menu hides the answer: close it, keep focus on its toggle
          commandMenu.open = false;
          commandMenu.querySelector('summary').focus();
        }
      });
      const item = el('li');
      item.append(button);
      commandList.append(item);
    }
    commandNav.hidden = commandList.childElementCount === 0;
  }

  // ---------------------------------------------------------------- page setup

  if (embedded) {
    document.body.classList.add('embed');
    $('popout').hidden = false; // e.g. when the browser blocks the chat's cookie inside the frame
  }
  if (narrow()) commandMenu.open = false;

  // The skip link also works without this; it just makes sure the field really gets focus.
  document.querySelector('.skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    field.focus();
  });

  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    if (alertBox.classList.contains('open')) {
      closeAlert();
      event.preventDefault();
    } else if (embedded && window.parent !== window) {
      // the host page's embed.js closes the chat window (it cannot see keys inside the frame)
      window.parent.postMessage({ type: 'klimabot:close' }, '*');
    }
  });

  log.addEventListener('scroll', () => {
    if (!nearBottom()) stickToBottom = false;
  }, { passive: true });

  start();
})();
