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


class Canvas:
    """A frame in the display's own pixel format, drawn here and sent in one call."""

    def __init__(self, info):
        self.width = info.width
        self.height = info.height
        self.rgb565 = info.format == display.ColorFormat.RGB565
        # Bytes per row: two per pixel in RGB565; one bit per pixel in mono1, rows whole bytes.
        self.stride = self.width * 2 if self.rgb565 else (self.width + 7) // 8
        self.pixels = bytearray(self.stride * self.height)

    def clear(self, lit):
        """Every pixel lit (white) or dark."""
        self.pixels[:] = (b"\xff" if lit else b"\x00") * len(self.pixels)

    def square(self, x, y, size, lit):
        """A `size` x `size` square with its top left corner at (`x`, `y`), clipped."""
        for row in range(max(y, 0), min(y + size, self.height)):
            for column in range(max(x, 0), min(x + size, self.width)):
                if self.rgb565:
                    at = row * self.stride + column * 2
                    self.pixels[at : at + 2] = b"\xff\xff" if lit else b"\x00\x00"
                else:
                    at = row * self.stride + column // 8
                    bit = 0x80 >> (column % 8)
                    if lit:
                        self.pixels[at] |= bit
                    else:
                        self.pixels[at] &= ~bit & 0xFF

    def text(self, text, x, y, scale, lit):
        """`text` with its top left corner at (`x`, `y`), each font pixel `scale` pixels square."""
        for char in text:
            glyph = FONT.get(char, FONT[" "])
            for row, bits in enumerate(glyph):
                for column in range(3):
                    if bits & (0b100 >> column):
                        self.square(x + column * scale, y + row * scale, scale, lit)
            x += 4 * scale


def draw(screen, canvas, text, alarm):
    """Draws one frame and presents it in one call: the temperature four times the font's size,
    the rest twice, inverted during an alarm."""
    canvas.clear(alarm)
    ink = not alarm
    canvas.text(text[0], 2, 2, 4, ink)
    canvas.text(text[1], 2, 26, 2, ink)
    canvas.text(text[2], 2, 40, 2, ink)
    area = display.Rect(x=0, y=0, width=canvas.width, height=canvas.height)
    screen.present_region(area, bytes(canvas.pixels))


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

        canvas = Canvas(screen.get_info())
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
                draw(screen, canvas, text, alarm)
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
