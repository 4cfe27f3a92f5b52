// The page: starts the worker that runs the self-contained composition, and shows the frames
// it reports on a canvas with the pixel aspect of the panel, at the simulated times of the
// frames (or as they come, with `?pace=none`).
//
// Query parameters:
//   frames=N   run `pacman --frames N` (default 1800: a minute of play at 30 frames a second)
//   pace=none  show each frame as soon as it arrives instead of at its simulated time
//   scale=S    CSS pixels per panel pixel across (default 6)
//
// For tests and the curious, the page reports on <body>: data-state (loading, running, done,
// error), data-frames-received, data-frames-shown, data-time-ns (the simulated time of the
// frame on the canvas), data-cell-width and data-cell-height (CSS pixels of one panel pixel).

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

const params = new URLSearchParams(location.search);
const frames = Number(params.get('frames') ?? 1800);
const paced = params.get('pace') !== 'none';
const scale = Number(params.get('scale') ?? 6);

const canvas = document.getElementById('panel');
const context = canvas.getContext('2d');
const status = document.getElementById('status');
const body = document.body;

const queue = [];
let received = 0;
let shown = 0;
let finished = false;
let startWall = null;
let startSim = null;

function setState(state, text) {
  body.dataset.state = state;
  status.textContent = text;
}

/** Draws `frame` with each panel pixel a cell of the panel's aspect. */
function draw(frame) {
  const panel = PANELS[`${frame.width}x${frame.height}`] ?? { name: 'display', pitchX: 1, pitchY: 1 };
  const cellW = scale;
  const cellH = Math.max(1, Math.round((scale * panel.pitchY) / panel.pitchX));
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
  shown += 1;
  body.dataset.framesShown = String(shown);
  body.dataset.timeNs = String(frame.timeNs);
  body.dataset.cellWidth = String(cellW);
  body.dataset.cellHeight = String(cellH);
}

/** Shows the frames that are due, then asks to be called again while any are left. */
function play(now) {
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
    requestAnimationFrame(play);
  } else if (finished) {
    setState('done', `${shown} frames shown (${received} received)`);
  }
}

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onmessage = ({ data }) => {
  switch (data.type) {
    case 'frame':
      received += 1;
      body.dataset.framesReceived = String(received);
      queue.push(data.frame);
      if (queue.length === 1) requestAnimationFrame(play);
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

setState('running', `running pacman --frames ${frames}…`);
worker.postMessage({ args: ['pacman', '--frames', String(frames)], env: {} });
