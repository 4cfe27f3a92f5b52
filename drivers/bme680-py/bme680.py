"""A Bosch BME680 driver in Python: temperature, pressure and humidity over wasi:i2c.

Built into a component by componentize-py (`cargo xtask build`); it exports
`sensor:environment/environment@0.1.0` and imports only `wasi:i2c`, `wasi:delay` and
`wasi:config` of wasi-hal's packages, like the Rust `bme680` driver, so either one serves an app.

Settings (`wasi:config`; a missing key is the default), the Rust driver's keys:

| key | default | meaning |
| --- | --- | --- |
| `sensor.i2c-bus` | `i2c0` | the virtual name of the I2C bus |
| `sensor.address` | `0x76` | `0x76` or `0x77` (or `118`, `119`) |

It measures in forced mode with 1x oversampling, no IIR filter and the gas heater off, and
compensates with the floating-point formulas of Bosch's datasheet (BST-BME680-DS001, section
3.3), so its readings match the part to its resolution (0.01 degC, 1 Pa, 0.01 %RH here).
"""

from componentize_py_types import Err
from wit_world import exports
from wit_world.exports.environment import ErrorCode, Measurement, Quantities, SensorInfo
from wit_world.imports import delay, i2c, store

CHIP_ID = 0xD0
CHIP_ID_VALUE = 0x61
RESET = 0xE0
RESET_COMMAND = 0xB6
CTRL_GAS_0 = 0x70
CTRL_GAS_1 = 0x71
CTRL_HUM = 0x72
CTRL_MEAS = 0x74
CONFIG = 0x75
FIELD_0 = 0x1D
HEAT_OFF = 0x08
NEW_DATA = 0x80
OVERSAMPLING_1X = 1
FORCED_MODE = 1
# The calibration blocks: registers 0x8A..0xA0, 0xE1..0xEE and 0x00..0x04.
BLOCKS = ((0x8A, 23), (0xE1, 14), (0x00, 5))
# A forced measurement at 1x oversampling takes under 10 ms; poll this often, this many times.
POLL_MS = 5
POLLS = 10


def _config(key, default):
    value = store.get(key)
    return default if value is None else value.strip()


def _address(text):
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        value = None
    if value not in (0x76, 0x77):
        raise Err(ErrorCode.OTHER)
    return value


def _error(err):
    """A wasi:i2c error code as the device class's."""
    code = err.value if isinstance(err, Err) else err
    if isinstance(code, i2c.ErrorCode_NoAcknowledge):
        return ErrorCode.NOT_CONNECTED
    if isinstance(code, (i2c.ErrorCode_Bus, i2c.ErrorCode_ArbitrationLoss, i2c.ErrorCode_Overrun)):
        return ErrorCode.BUS_ERROR
    if isinstance(code, (i2c.ErrorCode_AddressNotPermitted, i2c.ErrorCode_NotPermitted)):
        return ErrorCode.NOT_PERMITTED
    if isinstance(code, i2c.ErrorCode_InUse):
        return ErrorCode.IN_USE
    return ErrorCode.OTHER


def _s8(byte):
    return byte - 256 if byte > 127 else byte


def _s16(lsb, msb):
    value = lsb | (msb << 8)
    return value - 65536 if value > 32767 else value


class Calibration:
    """The part's trimming parameters, decoded as Bosch's API does."""

    def __init__(self, registers):
        r = registers.__getitem__
        self.t1 = r(0xE9) | (r(0xEA) << 8)
        self.t2 = _s16(r(0x8A), r(0x8B))
        self.t3 = _s8(r(0x8C))
        self.p1 = r(0x8E) | (r(0x8F) << 8)
        self.p2 = _s16(r(0x90), r(0x91))
        self.p3 = _s8(r(0x92))
        self.p4 = _s16(r(0x94), r(0x95))
        self.p5 = _s16(r(0x96), r(0x97))
        self.p6 = _s8(r(0x99))
        self.p7 = _s8(r(0x98))
        self.p8 = _s16(r(0x9C), r(0x9D))
        self.p9 = _s16(r(0x9E), r(0x9F))
        self.p10 = r(0xA0)
        self.h1 = (r(0xE3) << 4) | (r(0xE2) & 0x0F)
        self.h2 = (r(0xE1) << 4) | (r(0xE2) >> 4)
        self.h3 = _s8(r(0xE4))
        self.h4 = _s8(r(0xE5))
        self.h5 = _s8(r(0xE6))
        self.h6 = r(0xE7)
        self.h7 = _s8(r(0xE8))

    def temperature(self, adc):
        """Degrees Celsius and t_fine from the 20-bit ADC value."""
        var1 = (adc / 16384.0 - self.t1 / 1024.0) * self.t2
        var2 = (adc / 131072.0 - self.t1 / 8192.0) ** 2 * (self.t3 * 16.0)
        t_fine = var1 + var2
        return t_fine / 5120.0, t_fine

    def pressure(self, adc, t_fine):
        """Pascal from the 20-bit ADC value."""
        var1 = t_fine / 2.0 - 64000.0
        var2 = var1 * var1 * (self.p6 / 131072.0)
        var2 = var2 + var1 * self.p5 * 2.0
        var2 = var2 / 4.0 + self.p4 * 65536.0
        var1 = (self.p3 * var1 * var1 / 16384.0 + self.p2 * var1) / 524288.0
        var1 = (1.0 + var1 / 32768.0) * self.p1
        if var1 == 0:
            return None
        press = 1048576.0 - adc
        press = (press - var2 / 4096.0) * 6250.0 / var1
        var1 = self.p9 * press * press / 2147483648.0
        var2 = press * (self.p8 / 32768.0)
        var3 = (press / 256.0) ** 3 * (self.p10 / 131072.0)
        return press + (var1 + var2 + var3 + self.p7 * 128.0) / 16.0

    def humidity(self, adc, temperature):
        """Percent relative humidity from the 16-bit ADC value."""
        var1 = adc - (self.h1 * 16.0 + self.h3 / 2.0 * temperature)
        var2 = var1 * (
            self.h2
            / 262144.0
            * (1.0 + self.h4 / 16384.0 * temperature + self.h5 / 1048576.0 * temperature**2)
        )
        var3 = self.h6 / 16384.0
        var4 = self.h7 / 2097152.0
        hum = var2 + (var3 + var4 * temperature) * var2 * var2
        return min(max(hum, 0.0), 100.0)


class Sensor(exports.environment.Sensor):
    """One opened BME680."""

    def __init__(self, bus, address):
        self.bus = bus
        self.address = address
        try:
            chip = self.bus.write_read(address, bytes([CHIP_ID]), 1)
        except Err as err:
            raise Err(_error(err))
        if chip[0] != CHIP_ID_VALUE:
            raise Err(ErrorCode.NOT_CONNECTED)
        self._write(RESET, RESET_COMMAND)
        delay.delay_ms(10)
        registers = {}
        for start, length in BLOCKS:
            for offset, byte in enumerate(self._read(start, length)):
                registers[start + offset] = byte
        self.calibration = Calibration(registers)
        self._write(CTRL_HUM, OVERSAMPLING_1X)
        self._write(CONFIG, 0)
        self._write(CTRL_GAS_0, HEAT_OFF)
        self._write(CTRL_GAS_1, 0)

    def _write(self, register, value):
        try:
            self.bus.write(self.address, bytes([register, value]))
        except Err as err:
            raise Err(_error(err))

    def _read(self, register, length):
        try:
            return self.bus.write_read(self.address, bytes([register]), length)
        except Err as err:
            raise Err(_error(err))

    def get_info(self):
        return SensorInfo(
            model="BME680 (Python driver)",
            quantities=Quantities.TEMPERATURE | Quantities.PRESSURE | Quantities.HUMIDITY,
        )

    def measure(self):
        ctrl_meas = (OVERSAMPLING_1X << 5) | (OVERSAMPLING_1X << 2)
        self._write(CTRL_MEAS, ctrl_meas | FORCED_MODE)
        for _ in range(POLLS):
            delay.delay_ms(POLL_MS)
            field = self._read(FIELD_0, 15)
            if field[0] & NEW_DATA:
                break
        else:
            raise Err(ErrorCode.TIMEOUT)
        press_adc = (field[2] << 12) | (field[3] << 4) | (field[4] >> 4)
        temp_adc = (field[5] << 12) | (field[6] << 4) | (field[7] >> 4)
        hum_adc = (field[8] << 8) | field[9]
        cal = self.calibration
        temperature, t_fine = cal.temperature(temp_adc)
        return Measurement(
            temperature_celsius=temperature,
            pressure_pa=cal.pressure(press_adc, t_fine),
            humidity_percent=cal.humidity(hum_adc, temperature),
            gas_resistance_ohm=None,
        )


class Environment(exports.Environment):
    """The export: `open` reads the settings, opens the bus and checks the chip."""

    def open(self):
        address = _address(_config("sensor.address", "0x76"))
        try:
            bus = i2c.open_bus(_config("sensor.i2c-bus", "i2c0"))
        except Err as err:
            raise Err(_error(err))
        return Sensor(bus, address)
