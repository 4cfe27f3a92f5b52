//! The `wasi:pwm/pwm` host functions.

use crate::bindings::wasi::pwm::pwm::{self as wit, ChannelInfo, ErrorCode};
use crate::channel::HandleId;
use crate::{PwmError, SharedPwmChannel, WasiPwmView};
use wasmtime::component::Resource;
use wasmtime_wasi::TrappableError;

/// What a host function that can fail gives back (bindgen's `trappable_error_type` for
/// `error-code`): an error the guest caused or the device reported, which the guest gets as
/// its `error-code`, or a host fault ([`TrappableError::trap`]), which traps.
pub type PwmHostError = TrappableError<ErrorCode>;

impl From<PwmError> for PwmHostError {
    fn from(e: PwmError) -> Self {
        ErrorCode::from(e).into()
    }
}

impl From<PwmError> for ErrorCode {
    fn from(e: PwmError) -> Self {
        match e {
            PwmError::ChannelNotAllowed => ErrorCode::ChannelNotAllowed,
            PwmError::FrequencyNotAllowed => ErrorCode::FrequencyNotAllowed,
            PwmError::DutyCycleOutOfRange => ErrorCode::DutyCycleOutOfRange,
            PwmError::AlreadyInUse => ErrorCode::AlreadyInUse,
            PwmError::Other => ErrorCode::Other,
        }
    }
}

/// An open channel, in the guest's resource table. Dropping it switches the channel off and
/// lets it go.
pub struct Channel {
    shared: SharedPwmChannel,
    handle: HandleId,
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.shared.release_handle(self.handle);
    }
}

impl wit::Host for WasiPwmView<'_> {
    fn convert_error_code(&mut self, err: PwmHostError) -> wasmtime::Result<ErrorCode> {
        err.downcast()
    }

    fn get_channels(&mut self) -> wasmtime::Result<Vec<ChannelInfo>> {
        Ok(self
            .ctx
            .channels
            .iter()
            .map(|(name, channel)| ChannelInfo {
                name: name.clone(),
                min_frequency_hz: channel.policy().min_frequency_hz,
                max_frequency_hz: channel.policy().max_frequency_hz,
            })
            .collect())
    }

    fn open(&mut self, name: String) -> Result<Resource<Channel>, PwmHostError> {
        // A name the board does not offer to this guest looks the same as a missing one.
        let shared = self
            .ctx
            .channels
            .get(&name)
            .cloned()
            .ok_or(PwmError::ChannelNotAllowed)?;
        let handle = shared.open(self.ctx.guest)?;
        // From here the entry owns the hold: if pushing fails, dropping it lets the channel go.
        self.table
            .push(Channel { shared, handle })
            .map_err(TrappableError::trap)
    }
}

impl wit::HostChannel for WasiPwmView<'_> {
    fn max_duty_cycle(&mut self, self_: Resource<Channel>) -> wasmtime::Result<u16> {
        Ok(self.table.get(&self_)?.shared.max_duty_cycle())
    }

    fn set_duty_cycle(&mut self, self_: Resource<Channel>, duty: u16) -> Result<(), PwmHostError> {
        let channel = self.table.get(&self_).map_err(TrappableError::trap)?;
        Ok(channel.shared.set_duty_cycle(channel.handle, duty)?)
    }

    fn get_duty_cycle(&mut self, self_: Resource<Channel>) -> wasmtime::Result<u16> {
        Ok(self.table.get(&self_)?.shared.duty_cycle())
    }

    fn set_frequency(
        &mut self,
        self_: Resource<Channel>,
        frequency_hz: u32,
    ) -> Result<u32, PwmHostError> {
        let channel = self.table.get(&self_).map_err(TrappableError::trap)?;
        Ok(channel.shared.set_frequency(channel.handle, frequency_hz)?)
    }

    fn get_frequency(&mut self, self_: Resource<Channel>) -> wasmtime::Result<u32> {
        Ok(self.table.get(&self_)?.shared.frequency_hz())
    }

    fn set_enabled(&mut self, self_: Resource<Channel>, enabled: bool) -> Result<(), PwmHostError> {
        let channel = self.table.get(&self_).map_err(TrappableError::trap)?;
        Ok(channel.shared.set_enabled(channel.handle, enabled)?)
    }

    fn is_enabled(&mut self, self_: Resource<Channel>) -> wasmtime::Result<bool> {
        Ok(self.table.get(&self_)?.shared.is_enabled())
    }

    fn drop(&mut self, rep: Resource<Channel>) -> wasmtime::Result<()> {
        // Dropping the entry switches the channel off.
        self.table.delete(rep)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WasiPwmCtx;
    use wasmtime::component::ResourceTable;

    #[test]
    fn a_refusal_is_the_guest_error_and_a_missing_handle_traps() {
        let mut ctx = WasiPwmCtx::builder().build();
        let mut table = ResourceTable::new();
        let mut view = WasiPwmView {
            ctx: &mut ctx,
            table: &mut table,
        };
        let Err(refused) = wit::Host::open(&mut view, "buzzer".into()) else {
            panic!("no channel is offered");
        };
        assert!(matches!(
            wit::Host::convert_error_code(&mut view, refused),
            Ok(ErrorCode::ChannelNotAllowed)
        ));
        let stale = Resource::<Channel>::new_own(7);
        let Err(fault) = wit::HostChannel::set_enabled(&mut view, stale, true) else {
            panic!("the handle is in no table");
        };
        assert!(wit::Host::convert_error_code(&mut view, fault).is_err());
    }
}
