//! The `wasi:gpio/gpio` host functions.

use crate::bindings::wasi::gpio::gpio::{
    self as wit, Edge as WitEdge, ErrorCode, Level as WitLevel, PinInfo, PinModes as WitModes,
};
use crate::pin::HandleId;
use crate::{Edge, GpioError, Level, SharedPin, WasiGpioView};
use wasmtime::component::Resource;
use wasmtime_wasi::TrappableError;

/// What a host function that can fail gives back (bindgen's `trappable_error_type` for
/// `error-code`): an error the guest caused or the device reported, which the guest gets as
/// its `error-code`, or a host fault ([`TrappableError::trap`]), which traps.
pub type GpioHostError = TrappableError<ErrorCode>;

impl From<GpioError> for GpioHostError {
    fn from(e: GpioError) -> Self {
        ErrorCode::from(e).into()
    }
}

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
    fn convert_error_code(&mut self, err: GpioHostError) -> wasmtime::Result<ErrorCode> {
        err.downcast()
    }

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
    ) -> Result<Resource<OutputPin>, GpioHostError> {
        let shared = self.pin(&name)?;
        let handle = shared.open(self.ctx.guest, Some(initial.into()))?;
        // From here the entry owns the hold: if pushing fails, dropping it lets the pin go.
        self.table
            .push(OutputPin { shared, handle })
            .map_err(TrappableError::trap)
    }

    fn open_input(&mut self, name: String) -> Result<Resource<InputPin>, GpioHostError> {
        let shared = self.pin(&name)?;
        let handle = shared.open(self.ctx.guest, None)?;
        self.table
            .push(InputPin { shared, handle })
            .map_err(TrappableError::trap)
    }
}

impl wit::HostOutputPin for WasiGpioView<'_> {
    fn set_level(
        &mut self,
        self_: Resource<OutputPin>,
        level: WitLevel,
    ) -> Result<(), GpioHostError> {
        // A handle that is not in the table is a host fault: it traps.
        let pin = self.table.get(&self_).map_err(TrappableError::trap)?;
        Ok(pin.shared.set_level(pin.handle, level.into())?)
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
    fn read_level(&mut self, self_: Resource<InputPin>) -> Result<WitLevel, GpioHostError> {
        let pin = self.table.get(&self_).map_err(TrappableError::trap)?;
        Ok(pin.shared.read_level(pin.handle)?.into())
    }

    fn wait_for_edge(
        &mut self,
        self_: Resource<InputPin>,
        edge: WitEdge,
        timeout_ns: u64,
    ) -> Result<bool, GpioHostError> {
        let pin = self.table.get(&self_).map_err(TrappableError::trap)?;
        Ok(pin
            .shared
            .wait_for_edge(pin.handle, edge.into(), timeout_ns)?)
    }

    fn drop(&mut self, rep: Resource<InputPin>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WasiGpioCtx;
    use wasmtime::component::ResourceTable;

    #[test]
    fn a_refusal_is_the_guest_error_and_a_missing_handle_traps() {
        let mut ctx = WasiGpioCtx::builder().build();
        let mut table = ResourceTable::new();
        let mut view = WasiGpioView {
            ctx: &mut ctx,
            table: &mut table,
        };
        let Err(refused) = wit::Host::open_output(&mut view, "led".into(), WitLevel::Low) else {
            panic!("no pin is offered");
        };
        assert!(matches!(
            wit::Host::convert_error_code(&mut view, refused),
            Ok(ErrorCode::PinNotAllowed)
        ));
        let stale = Resource::<OutputPin>::new_own(7);
        let Err(fault) = wit::HostOutputPin::set_level(&mut view, stale, WitLevel::High) else {
            panic!("the handle is in no table");
        };
        assert!(wit::Host::convert_error_code(&mut view, fault).is_err());
    }
}
