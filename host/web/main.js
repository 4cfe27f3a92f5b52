// The page: starts the worker that runs the self-contained composition, shows the frames it
// reports on a canvas that fits the window with the pixel aspect of the panel, and hands the
// keyboard and touch to the virtual board's buttons so a person plays.
//
// Two modes:
//   play   (default, when the page is cross-origin isolated, so it may share memory with the
//          worker): the worker plays in real time and reads the buttons the page holds at every
//          frame (see worker.js); arrow keys / WASD and the on-screen pad press them. The game
//          runs until the page is closed (or `frames=N`).
//   watch  (`pace=none`, or no isolation): the worker makes the frames as fast as it can; the
//          page shows each at its simulated time (or at once with `pace=none`). No input.
// Cross-origin isolation needs two response headers (Cross-Origin-Opener-Policy: same-origin,
// Cross-Origin-Embedder-Policy: require-corp). A server that does not send them (python3 -m
// http.server) gets them from isolate.js, a service worker of this page that adds them to the
// page's own responses: the page registers it and reloads once.
//
// Query parameters:
//   frames=N   run `pacman --frames N` (default: no limit in play, 1800 in watch: a minute)
//   pace=none  watch, each frame shown as soon as it arrives
//   scale=S    CSS pixels per panel pixel across (default: as large as fits the window)
//
// For tests and the curious, the page reports on <body>: data-state (loading, running, done,
// error), data-mode (play, watch), data-frames-received, data-frames-shown, data-time-ns (the
// simulated time of the frame on the canvas), data-presses (button presses the board got),
// data-cell-width and data-cell-height (CSS pixels of one panel pixel).

/**
 * Panels by their size in pixels: the pixel pitch from the datasheet, in millimetres. The
 * canvas draws each panel pixel `pitchY / pitchX` as tall as it is wide.
 */
const PANELS = {
  // Univision UG-2832HSWEG04, the glass of the Digilent Pmod OLED: 22.384 x 5.584 mm active
  // area, 0.175 mm pitch both ways.
  '128x32': { name: 'Pmod OLED (UG-2832HSWEG04, SSD1306 128x32)', pitchX: 0.175, pitchY: 0.175 },
  // 0.96" SSD1306 modules: 21.744 x 10.864 mm, 0.17 mm pitch both ways.
  '128x64': { name: 'SSD1306 128x64 0.96"', pitchX: 0.17, pitchY: 0.17 },
};

/** The virtual board's button parts, in the order of the shared buttons (as in worker.js). */
const BUTTONS = ['up', 'down', 'left', 'right'];

/** Keys (KeyboardEvent.key, lower case) and the button each holds. */
const KEYS = {
  arrowup: 'up', w: 'up',
  arrowdown: 'down', s: 'down',
  arrowleft: 'left', a: 'left',
  arrowright: 'right', d: 'right',
};

const params = new URLSearchParams(location.search);
const paced = params.get('pace') !== 'none';

// Isolation for play: ask isolate.js once, then play or watch with what we got.
if (paced && !crossOriginIsolated && 'serviceWorker' in navigator && !sessionStorage.getItem('isolate-tried')) {
  sessionStorage.setItem('isolate-tried', '1');
  try {
    await navigator.serviceWorker.register(new URL('./isolate.js', import.meta.url));
    await navigator.serviceWorker.ready;
    location.reload();
    await new Promise(() => {});
  } catch (e) {
    console.warn(`no cross-origin isolation from isolate.js: ${e}`);
  }
}
const play = paced && crossOriginIsolated;
const frames = params.get('frames') ?? (play ? null : '1800');
const fixedScale = params.has('scale') ? Number(params.get('scale')) : null;

const canvas = document.getElementById('panel');
const context = canvas.getContext('2d');
const status = document.getElementById('status');
const body = document.body;
body.dataset.mode = play ? 'play' : 'watch';
document.getElementById(play ? 'how-watch' : 'how-play').hidden = true;

const queue = [];
let received = 0;
let shown = 0;
let finished = false;
let startWall = null;
let startSim = null;
let lastFrame = null;

function setState(state, text) {
  body.dataset.state = state;
  status.textContent = text;
}

/** CSS pixels per panel pixel across: `scale=S`, else as large as fits the window. */
function cellWidth(frame, panel) {
  if (fixedScale) return fixedScale;
  const room = document.getElementById('glass').parentElement.clientWidth - 24;
  const tall = (window.innerHeight * 0.5) / (frame.height * (panel.pitchY / panel.pitchX));
  return Math.max(1, Math.min(16, Math.floor(Math.min(room / frame.width, tall))));
}

/** Draws `frame` with each panel pixel a cell of the panel's aspect. */
function draw(frame) {
  const panel = PANELS[`${frame.width}x${frame.height}`] ?? { name: 'display', pitchX: 1, pitchY: 1 };
  const cellW = cellWidth(frame, panel);
  const cellH = Math.max(1, Math.round((cellW * panel.pitchY) / panel.pitchX));
  const width = frame.width * cellW;
  const height = frame.height * cellH;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    document.getElementById('panel-name').textContent = panel.name;
  }
  const image = context.createImageData(width, height);
  const out = image.data;
  for (let y = 0; y < height; y += 1) {
    const row = Math.floor(y / cellH) * frame.width;
    for (let x = 0; x < width; x += 1) {
      const from = (row + Math.floor(x / cellW)) * 3;
      const to = (y * width + x) * 4;
      out[to] = frame.rgb[from];
      out[to + 1] = frame.rgb[from + 1];
      out[to + 2] = frame.rgb[from + 2];
      out[to + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  lastFrame = frame;
  shown += 1;
  body.dataset.framesShown = String(shown);
  body.dataset.timeNs = String(frame.timeNs);
  body.dataset.cellWidth = String(cellW);
  body.dataset.cellHeight = String(cellH);
  if (frame.presses !== undefined) body.dataset.presses = String(frame.presses);
}

/** Shows the frames that are due, then asks to be called again while any are left. */
function show(now) {
  if (play) {
    // The worker sends each frame at its time: show the newest.
    if (queue.length > 0) draw(queue.splice(0).pop());
  }
  while (queue.length > 0) {
    const frame = queue[0];
    if (paced) {
      if (startWall === null) {
        startWall = now;
        startSim = frame.timeNs;
      }
      if ((frame.timeNs - startSim) / 1e6 > now - startWall) break;
    }
    queue.shift();
    draw(frame);
  }
  if (queue.length > 0) {
    requestAnimationFrame(show);
  } else if (finished) {
    setState('done', `${shown} frames shown (${received} received)`);
  }
}

window.addEventListener('resize', () => {
  if (lastFrame) draw(lastFrame);
});

// The buttons the page holds, shared with the worker (play only).
const buttons = play ? new SharedArrayBuffer(4 * (BUTTONS.length + 1)) : null;
const held = buttons ? new Int32Array(buttons) : null;

function hold(button, pressed) {
  if (!held) return;
  Atomics.store(held, BUTTONS.indexOf(button), pressed ? 1 : 0);
  document.querySelector(`#pad [data-button="${button}"]`)?.classList.toggle('held', pressed);
}

window.addEventListener('keydown', (e) => {
  const button = KEYS[e.key.toLowerCase()];
  if (!button || e.ctrlKey || e.metaKey || e.altKey) return;
  e.preventDefault(); // arrows would scroll the page
  hold(button, true);
});
window.addEventListener('keyup', (e) => {
  const button = KEYS[e.key.toLowerCase()];
  if (button) hold(button, false);
});
// A key released while the page had no focus never sends keyup.
window.addEventListener('blur', () => BUTTONS.forEach((b) => hold(b, false)));
for (const element of document.querySelectorAll('#pad [data-button]')) {
  const button = element.dataset.button;
  element.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    element.setPointerCapture(e.pointerId);
    hold(button, true);
  });
  for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
    element.addEventListener(type, () => hold(button, false));
  }
}
document.getElementById('pad').hidden = !play;

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  switch (data.type) {
    case 'frame':
      received += 1;
      body.dataset.framesReceived = String(received);
      queue.push(data.frame);
      if (queue.length === 1) requestAnimationFrame(show);
      break;
    case 'stderr':
      console.warn(data.line);
      break;
    case 'done':
      finished = true;
      if (queue.length === 0) setState('done', `${shown} frames shown (${received} received)`);
      break;
    case 'error':
      setState('error', `the composition failed: ${data.message}`);
      console.error(data.message);
      break;
  }
};
worker.onerror = (e) => setState('error', `the worker failed: ${e.message}`);

const args = ['pacman', ...(frames === null ? [] : ['--frames', String(frames)])];
setState('running', play ? 'playing: arrow keys, WASD or the pad steer' : `running ${args.join(' ')}…`);
worker.postMessage({ args, env: {}, buttons });
