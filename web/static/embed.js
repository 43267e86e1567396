// klimabot on another website: <script src="https://bot.example/chat/embed.js" defer></script>
// adds a floating button "Fragen an klimabot" that opens and closes the chat in an <iframe>.
// It runs on the host page: all styling is set through element.style (no stylesheet, no inline <style>),
// so a strict Content-Security-Policy of the host page does not get in the way.
'use strict';

(() => {
  if (window.klimabotEmbed) return; // the tag included twice
  window.klimabotEmbed = true;

  const script = document.currentScript
    || [...document.querySelectorAll('script[src]')].find((s) => /\/chat\/embed\.js(\?|#|$)/.test(s.src));
  if (!script) return;
  const origin = new URL(script.src, location.href).origin;
  const chatUrl = `${origin}/chat?embed=1`;

  const GREEN = '#1d6b35';
  const GREEN_DARK = '#154f27';
  const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

  function styled(tag, styles) {
    const node = document.createElement(tag);
    Object.assign(node.style, styles);
    return node;
  }

  // A visible focus ring only for keyboard focus (pseudo-classes cannot be set through element.style).
  function focusRing(node, colour) {
    node.addEventListener('focus', () => {
      if (node.matches(':focus-visible')) {
        node.style.outline = `3px solid ${colour}`;
        node.style.outlineOffset = '2px';
      }
    });
    node.addEventListener('blur', () => {
      node.style.outline = '';
      node.style.outlineOffset = '';
    });
  }

  const buttonBase = {
    boxSizing: 'border-box',
    minHeight: '2.75rem',
    margin: '0',
    font: `600 1rem/1.25 ${FONT}`,
    borderRadius: '1.5rem',
    cursor: 'pointer',
  };

  const toggle = styled('button', {
    ...buttonBase,
    position: 'fixed',
    right: '1rem',
    bottom: '1rem',
    zIndex: '2147483000',
    padding: '0.75rem 1.25rem',
    border: '2px solid #fff',
    background: GREEN,
    color: '#fff',
    boxShadow: '0 0.25rem 1rem rgba(0, 0, 0, 0.3)',
  });
  toggle.type = 'button';
  toggle.textContent = 'Fragen an klimabot';
  toggle.setAttribute('aria-expanded', 'false');
  toggle.setAttribute('aria-controls', 'klimabot-chat');
  toggle.addEventListener('mouseenter', () => { toggle.style.background = GREEN_DARK; });
  toggle.addEventListener('mouseleave', () => { toggle.style.background = GREEN; });
  focusRing(toggle, '#1b1b1b');

  const panel = styled('div', {
    position: 'fixed',
    right: '1rem',
    bottom: '4.5rem',
    zIndex: '2147483000',
    display: 'none',
    flexDirection: 'column',
    width: 'min(26rem, calc(100vw - 2rem))',
    height: 'min(40rem, calc(100vh - 5.5rem))',
    background: '#fff',
    border: `2px solid ${GREEN}`,
    borderRadius: '0.75rem',
    boxShadow: '0 0.5rem 2rem rgba(0, 0, 0, 0.3)',
    overflow: 'hidden',
  });
  panel.id = 'klimabot-chat';
  panel.setAttribute('role', 'region');
  panel.setAttribute('aria-label', 'klimabot');

  const bar = styled('div', {
    display: 'flex',
    justifyContent: 'flex-end',
    padding: '0.125rem 0.25rem',
    background: GREEN,
  });

  const close = styled('button', {
    ...buttonBase,
    padding: '0.375rem 1rem',
    border: '2px solid #fff',
    background: GREEN,
    color: '#fff',
    fontSize: '0.9375rem',
  });
  close.type = 'button';
  close.textContent = 'Schließen';
  close.setAttribute('aria-label', 'Chat schließen');
  focusRing(close, '#fff');

  const frame = styled('iframe', {
    flex: '1 1 auto',
    width: '100%',
    border: '0',
    display: 'block',
  });
  frame.title = 'klimabot Chat';

  bar.append(close);
  panel.append(bar, frame);

  function isOpen() {
    return toggle.getAttribute('aria-expanded') === 'true';
  }

  function open() {
    if (!frame.src) frame.src = chatUrl; // load the chat only when it is wanted
    panel.style.display = 'flex';
    toggle.setAttribute('aria-expanded', 'true');
    frame.focus();
  }

  function shut() {
    if (!isOpen()) return;
    panel.style.display = 'none';
    toggle.setAttribute('aria-expanded', 'false');
    toggle.focus();
  }

  toggle.addEventListener('click', () => (isOpen() ? shut() : open()));
  close.addEventListener('click', shut);

  // Escape on the toggle or the close button ...
  document.addEventListener('keydown', (event) => {
    const inside = document.activeElement === toggle || panel.contains(document.activeElement);
    if (event.key === 'Escape' && isOpen() && inside) shut();
  });
  // ... and inside the chat, which tells us by message (keys in a frame do not reach this page).
  window.addEventListener('message', (event) => {
    if (event.origin === origin && event.source === frame.contentWindow
        && event.data && event.data.type === 'klimabot:close') {
      shut();
    }
  });

  function mount() {
    document.body.append(toggle, panel); // the toggle first: Tab goes on into the chat
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
