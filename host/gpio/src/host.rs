//! The `wasi:gpio/gpio` host functions.

use crate::bindings::wasi::gpio::gpio::{
    self as wit, Edge as WitEdge, ErrorCode, Level as WitLevel, PinInfo, PinModes as WitModes,
};
use crate::pin::HandleId;
use crate::{Edge, GpioError, Level, SharedPin, WasiGpioView};
use wasmtime::component::Resource;

/// A pin opened as an output, in the guest's resource table. Dropping it returns the pin to
/// its safe level and lets it go.
pub struct OutputPin {
    shared: SharedPin,
    handle: HandleId,
}

/// A pin opened as an input, in the guest's resource table. Dropping it lets the pin go.
pub struct InputPin {
    shared: SharedPin,
    handle: HandleId,
}

impl Drop for OutputPin {
    fn drop(&mut self) {
        self.shared.release_handle(self.handle);
    }
}

impl Drop for InputPin {
    fn drop(&mut self) {
        self.shared.release_handle(self.handle);
    }
}

impl From<GpioError> for ErrorCode {
    fn from(e: GpioError) -> Self {
        match e {
            GpioError::PinNotAllowed => ErrorCode::PinNotAllowed,
            GpioError::ModeNotAllowed => ErrorCode::ModeNotAllowed,
            GpioError::AlreadyInUse => ErrorCode::AlreadyInUse,
            GpioError::Other => ErrorCode::Other,
        }
    }
}

impl From<WitLevel> for Level {
    fn from(l: WitLevel) -> Self {
        match l {
            WitLevel::Low => Level::Low,
            WitLevel::High => Level::High,
        }
    }
}

impl From<Level> for WitLevel {
    fn from(l: Level) -> Self {
        match l {
            Level::Low => WitLevel::Low,
            Level::High => WitLevel::High,
        }
    }
}

impl From<WitEdge> for Edge {
    fn from(e: WitEdge) -> Self {
        match e {
            WitEdge::Rising => Edge::Rising,
            WitEdge::Falling => Edge::Falling,
            WitEdge::Both => Edge::Both,
        }
    }
}

impl WasiGpioView<'_> {
    fn pin(&self, name: &str) -> Result<SharedPin, ErrorCode> {
        // A name the board does not offer to this guest looks the same as a missing one.
        self.ctx
            .pins
            .get(name)
            .cloned()
            .ok_or(ErrorCode::PinNotAllowed)
    }
}

impl wit::Host for WasiGpioView<'_> {
    fn get_pins(&mut self) -> wasmtime::Result<Vec<PinInfo>> {
        Ok(self
            .ctx
            .pins
            .iter()
            .map(|(name, pin)| {
                let modes = pin.modes();
                let mut flags = WitModes::empty();
                if modes.input {
                    flags |= WitModes::INPUT;
                }
                if modes.output {
                    flags |= WitModes::OUTPUT;
                }
                PinInfo {
                    name: name.clone(),
                    modes: flags,
                }
            })
            .collect())
    }

    fn open_output(
        &mut self,
        name: String,
        initial: WitLevel,
    ) -> wasmtime::Result<Result<Resource<OutputPin>, ErrorCode>> {
        let shared = match self.pin(&name) {
            Ok(pin) => pin,
            Err(e) => return Ok(Err(e)),
        };
        let handle = match shared.open(self.ctx.guest, Some(initial.into())) {
            Ok(handle) => handle,
            Err(e) => return Ok(Err(e.into())),
        };
        // From here the entry owns the hold: if pushing fails, dropping it lets the pin go.
        Ok(Ok(self.table.push(OutputPin { shared, handle })?))
    }

    fn open_input(
        &mut self,
        name: String,
    ) -> wasmtime::Result<Result<Resource<InputPin>, ErrorCode>> {
        let shared = match self.pin(&name) {
            Ok(pin) => pin,
            Err(e) => return Ok(Err(e)),
        };
        let handle = match shared.open(self.ctx.guest, None) {
            Ok(handle) => handle,
            Err(e) => return Ok(Err(e.into())),
        };
        Ok(Ok(self.table.push(InputPin { shared, handle })?))
    }
}

impl wit::HostOutputPin for WasiGpioView<'_> {
    fn set_level(
        &mut self,
        self_: Resource<OutputPin>,
        level: WitLevel,
    ) -> wasmtime::Result<Result<(), ErrorCode>> {
        // A handle that is not in the table is a host fault: it traps.
        let pin = self.table.get(&self_)?;
        Ok(pin
            .shared
            .set_level(pin.handle, level.into())
            .map_err(ErrorCode::from))
    }

    fn get_level(&mut self, self_: Resource<OutputPin>) -> wasmtime::Result<WitLevel> {
        let pin = self.table.get(&self_)?;
        Ok(pin.shared.driven_level().unwrap_or_default().into())
    }

    fn drop(&mut self, rep: Resource<OutputPin>) -> wasmtime::Result<()> {
        // Dropping the entry returns the pin to its safe level.
        self.table.delete(rep)?;
        Ok(())
    }
}

impl wit::HostInputPin for WasiGpioView<'_> {
    fn read_level(
        &mut self,
        self_: Resource<InputPin>,
    ) -> wasmtime::Result<Result<WitLevel, ErrorCode>> {
        let pin = self.table.get(&self_)?;
        Ok(pin
            .shared
            .read_level(pin.handle)
            .map(WitLevel::from)
            .map_err(ErrorCode::from))
    }

    fn wait_for_edge(
        &mut self,
        self_: Resource<InputPin>,
        edge: WitEdge,
        timeout_ns: u64,
    ) -> wasmtime::Result<Result<bool, ErrorCode>> {
        let pin = self.table.get(&self_)?;
        Ok(pin
            .shared
            .wait_for_edge(pin.handle, edge.into(), timeout_ns)
            .map_err(ErrorCode::from))
    }

    fn drop(&mut self, rep: Resource<InputPin>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}
