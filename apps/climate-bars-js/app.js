// The climate as three bars, in JavaScript (componentize-js): temperature from 0 to 40 degC,
// relative humidity from 0 to 100 %, pressure from 950 to 1050 hPa, each a bar 12 pixels high
// in a 16-pixel row, as wide as its share of the display. A quantity the sensor does not give has
// no bar. It measures and draws once a second, for ever (the host bounds the run).
//
// It knows only the device classes: any `sensor:environment` driver and any `display:pixels`
// driver serve it, in any language (here the Python BME680 driver and the Rust SSD1306 one).

import { open as openSensor } from "sensor:environment/environment@0.1.0";
import { open as openDisplay } from "display:pixels/display@0.1.1";
import { delayMs } from "wasi:delay/delay@0.1.0";

const ROW_HEIGHT = 16;
const BAR_HEIGHT = 12;

/** The bars: the measurement's field, and the values at the left and right edges. */
const BARS = [
  { value: (m) => m.temperatureCelsius, low: 0, high: 40 },
  { value: (m) => m.humidityPercent, low: 0, high: 100 },
  { value: (m) => (m.pressurePa === undefined ? undefined : m.pressurePa / 100), low: 950, high: 1050 },
];

/** The width in pixels of a bar for `value` on a display `width` wide. */
export function barWidth(value, low, high, width) {
  const share = (value - low) / (high - low);
  return Math.max(0, Math.min(width, Math.round(share * width)));
}

export function run() {
  const sensor = openSensor();
  const display = openDisplay();
  const { width, height, format } = display.getInfo();
  // Lit: 1 on a monochrome panel, white in RGB565.
  const lit = format === "rgb565" ? 0xffff : 1;
  for (;;) {
    const m = sensor.measure();
    display.fillRect({ x: 0, y: 0, width, height }, 0);
    BARS.forEach((bar, row) => {
      const value = bar.value(m);
      if (value === undefined) return;
      const w = barWidth(value, bar.low, bar.high, width);
      const y = row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2;
      if (w > 0 && y + BAR_HEIGHT <= height) {
        display.fillRect({ x: 0, y, width: w, height: BAR_HEIGHT }, lit);
      }
    });
    display.present();
    delayMs(1000);
  }
}
