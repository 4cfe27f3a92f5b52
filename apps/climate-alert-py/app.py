"""A climate alert in Python: the temperature and humidity in large figures, and an alarm.

Built into a component by componentize-py (`cargo xtask build`). It imports only device
classes, `sensor:environment`, `display:pixels` and `sound:buzzer`, and `wasi:delay`, so any
driver of those serves it, in any language (here the Rust BME680, SSD1306 and buzzer drivers).

Once a second it measures and draws the temperature (large) and the relative humidity. Below
`COLD_CELSIUS` or above `HOT_CELSIUS` it is an alarm: the picture is inverted, the third line
says `COLD!` or `HOT!`, and the buzzer plays `ALARM` when the alarm starts and every
`REPEAT_FRAMES` frames while it lasts. Otherwise the third line says `OK`. It runs for ever (the
host bounds the run: `wasi-hal run --frames N` or `--max-time`).
"""

import sys

from componentize_py_types import Err
import wit_world
from wit_world.imports import buzzer, delay, display, environment

# The alarm thresholds, in degrees Celsius.
COLD_CELSIUS = 5.0
HOT_CELSIUS = 30.0
# While the alarm lasts, the buzzer sounds again every this many frames.
REPEAT_FRAMES = 10
# Two short beeps at 2 kHz.
ALARM = [
    buzzer.Note(frequency_hz=2000, duration_ms=150),
    buzzer.Note(frequency_hz=0, duration_ms=100),
    buzzer.Note(frequency_hz=2000, duration_ms=150),
]
FRAME_NS = 1_000_000_000

# A 3x5 font: each glyph is five rows of three bits, the leftmost pixel the highest bit.
FONT = {
    "0": (0b111, 0b101, 0b101, 0b101, 0b111),
    "1": (0b010, 0b110, 0b010, 0b010, 0b111),
    "2": (0b111, 0b001, 0b111, 0b100, 0b111),
    "3": (0b111, 0b001, 0b111, 0b001, 0b111),
    "4": (0b101, 0b101, 0b111, 0b001, 0b001),
    "5": (0b111, 0b100, 0b111, 0b001, 0b111),
    "6": (0b111, 0b100, 0b111, 0b101, 0b111),
    "7": (0b111, 0b001, 0b010, 0b010, 0b010),
    "8": (0b111, 0b101, 0b111, 0b101, 0b111),
    "9": (0b111, 0b101, 0b111, 0b001, 0b111),
    ".": (0b000, 0b000, 0b000, 0b000, 0b010),
    "-": (0b000, 0b000, 0b111, 0b000, 0b000),
    "%": (0b101, 0b001, 0b010, 0b100, 0b101),
    "!": (0b010, 0b010, 0b010, 0b000, 0b010),
    " ": (0b000, 0b000, 0b000, 0b000, 0b000),
    "C": (0b111, 0b100, 0b100, 0b100, 0b111),
    "D": (0b110, 0b101, 0b101, 0b101, 0b110),
    "E": (0b111, 0b100, 0b111, 0b100, 0b111),
    "H": (0b101, 0b101, 0b111, 0b101, 0b101),
    "K": (0b101, 0b101, 0b110, 0b101, 0b101),
    "L": (0b100, 0b100, 0b100, 0b100, 0b111),
    "O": (0b111, 0b101, 0b101, 0b101, 0b111),
    "R": (0b110, 0b101, 0b110, 0b101, 0b101),
    "T": (0b111, 0b010, 0b010, 0b010, 0b010),
}


def lines(measurement):
    """The three lines of text for `measurement` (None after a failed measurement), and whether
    it is an alarm."""
    if measurement is None:
        return ["ERR", "", ""], False
    t = measurement.temperature_celsius
    h = measurement.humidity_percent
    first = "--.-C" if t is None else f"{t:.1f}C"
    second = "--%" if h is None else f"{h:.0f}%"
    if t is not None and t < COLD_CELSIUS:
        return [first, second, "COLD!"], True
    if t is not None and t > HOT_CELSIUS:
        return [first, second, "HOT!"], True
    return [first, second, "OK"], False


def draw_text(screen, text, x, y, scale, color):
    """Draws `text` with its top left corner at (`x`, `y`), each font pixel `scale` pixels
    square; what falls outside the display is not drawn."""
    info = screen.get_info()
    for char in text:
        glyph = FONT.get(char, FONT[" "])
        for row, bits in enumerate(glyph):
            for column in range(3):
                if bits & (0b100 >> column):
                    left = x + column * scale
                    top = y + row * scale
                    if left + scale <= info.width and top + scale <= info.height:
                        screen.fill_rect(display.Rect(x=left, y=top, width=scale, height=scale), color)
        x += 4 * scale


def draw(screen, text, alarm):
    """Draws one frame: the temperature four times the font's size, the rest twice, inverted
    during an alarm."""
    info = screen.get_info()
    lit = 0xFFFF if info.format == display.ColorFormat.RGB565 else 1
    background, ink = (lit, 0) if alarm else (0, lit)
    screen.fill_rect(display.Rect(x=0, y=0, width=info.width, height=info.height), background)
    draw_text(screen, text[0], 2, 2, 4, ink)
    draw_text(screen, text[1], 2, 26, 2, ink)
    draw_text(screen, text[2], 2, 40, 2, ink)
    screen.present()


class WitWorld(wit_world.WitWorld):
    """The component's export: `run`."""

    def run(self) -> None:
        try:
            screen = display.open()
        except Err as e:
            print(f"climate-alert: cannot open the display: {e.value}", file=sys.stderr)
            return
        try:
            sensor = environment.open()
        except Err as e:
            print(f"climate-alert: cannot open the sensor: {e.value}", file=sys.stderr)
            return
        try:
            alarm_sound = buzzer.open()
        except Err as e:
            # The alarm still shows; it is only silent.
            print(f"climate-alert: no buzzer ({e.value}): the alarm is silent", file=sys.stderr)
            alarm_sound = None

        start = delay.now_ns()
        frame = 0
        alarm_frames = 0
        while True:
            try:
                measurement = sensor.measure()
            except Err as e:
                print(f"climate-alert: measurement failed: {e.value}", file=sys.stderr)
                measurement = None
            text, alarm = lines(measurement)
            try:
                draw(screen, text, alarm)
            except Err as e:
                print(f"climate-alert: drawing failed: {e.value}", file=sys.stderr)
            if alarm:
                if alarm_sound is not None and alarm_frames % REPEAT_FRAMES == 0:
                    try:
                        alarm_sound.play_pattern(ALARM)
                    except Err as e:
                        print(f"climate-alert: the buzzer failed: {e.value}", file=sys.stderr)
                alarm_frames += 1
            else:
                alarm_frames = 0
            frame += 1
            # The next frame starts a whole second after the last one started.
            wait = start + frame * FRAME_NS - delay.now_ns()
            if wait > 0:
                delay.delay_ns(min(wait, FRAME_NS))
