//! The `wasi:spi/spi` host functions.

use crate::bindings::wasi::spi::spi::{
    self as wit, BitOrder, Config, ErrorCode, Mode, Operation as WitOperation,
};
use crate::device::GuestId;
use crate::{SharedSpiDevice, SpiConfig, SpiError, SpiMode, WasiSpiView};
use embedded_hal::spi::Operation;
use wasmtime::component::Resource;
use wasmtime_wasi::TrappableError;

/// What a host function that can fail gives back (bindgen's `trappable_error_type` for
/// `error-code`): an error the guest caused or the device reported, which the guest gets as
/// its `error-code`, or a host fault ([`TrappableError::trap`]), which traps.
pub type SpiHostError = TrappableError<ErrorCode>;

impl From<SpiError> for SpiHostError {
    fn from(e: SpiError) -> Self {
        ErrorCode::from(e).into()
    }
}

/// An open device in the guest's resource table. Dropping it ends this handle's hold.
pub struct Device {
    shared: SharedSpiDevice,
    guest: GuestId,
}

impl Drop for Device {
    fn drop(&mut self) {
        self.shared.release(self.guest, false);
    }
}

impl From<SpiError> for ErrorCode {
    fn from(e: SpiError) -> Self {
        match e {
            SpiError::Overrun => ErrorCode::Overrun,
            SpiError::ModeFault => ErrorCode::ModeFault,
            SpiError::FrameFormat => ErrorCode::FrameFormat,
            SpiError::ChipSelectFault => ErrorCode::ChipSelectFault,
            SpiError::NotPermitted => ErrorCode::NotPermitted,
            SpiError::InUse => ErrorCode::InUse,
            SpiError::TooLarge => ErrorCode::TooLarge,
            SpiError::Other => ErrorCode::Other,
        }
    }
}

impl From<SpiConfig> for Config {
    fn from(c: SpiConfig) -> Self {
        Config {
            frequency_hz: c.frequency_hz,
            mode: match c.mode {
                SpiMode::Mode0 => Mode::Mode0,
                SpiMode::Mode1 => Mode::Mode1,
                SpiMode::Mode2 => Mode::Mode2,
                SpiMode::Mode3 => Mode::Mode3,
            },
            bit_order: if c.lsb_first {
                BitOrder::LsbFirst
            } else {
                BitOrder::MsbFirst
            },
        }
    }
}

impl From<Config> for SpiConfig {
    fn from(c: Config) -> Self {
        SpiConfig {
            frequency_hz: c.frequency_hz,
            mode: match c.mode {
                Mode::Mode0 => SpiMode::Mode0,
                Mode::Mode1 => SpiMode::Mode1,
                Mode::Mode2 => SpiMode::Mode2,
                Mode::Mode3 => SpiMode::Mode3,
            },
            lsb_first: matches!(c.bit_order, BitOrder::LsbFirst),
        }
    }
}

/// An operation with the buffer it reads into or writes from, owned by the host.
enum Owned {
    Read(Vec<u8>),
    Write(Vec<u8>),
    Transfer(Vec<u8>),
    Delay(u32),
}

/// Checks the bytes the guest's operations move against the cap, before any read buffer is
/// allocated. Sums in u64 so that many large lengths cannot wrap around.
fn check_size(device: &SharedSpiDevice, operations: &[WitOperation]) -> Result<(), SpiError> {
    let total: u64 = operations
        .iter()
        .map(|op| match op {
            WitOperation::Read(len) => u64::from(*len),
            WitOperation::Write(data) | WitOperation::Transfer(data) => data.len() as u64,
            WitOperation::DelayNs(_) => 0,
        })
        .sum();
    check_total(device, total)
}

/// Checks `total` bytes moved against the device's cap.
fn check_total(device: &SharedSpiDevice, total: u64) -> Result<(), SpiError> {
    if total > u64::from(device.policy().max_transfer_bytes) {
        return Err(SpiError::TooLarge);
    }
    Ok(())
}

/// A write alone (`device.write`): the same checks and backend transaction as
/// [`run`] with one write operation, without building the operation lists.
fn write(device: &SharedSpiDevice, data: &[u8]) -> Result<(), SpiError> {
    check_total(device, data.len() as u64)?;
    device.transaction(&mut [Operation::Write(data)])
}

/// Runs the guest's operations as one backend transaction and returns the buffers of its
/// reads and transfers, in order.
fn run(device: &SharedSpiDevice, operations: Vec<WitOperation>) -> Result<Vec<Vec<u8>>, SpiError> {
    // Guest-controlled sizes: checked before the read buffers below are allocated.
    check_size(device, &operations)?;
    let mut owned: Vec<Owned> = operations
        .into_iter()
        .map(|op| match op {
            WitOperation::Read(len) => Owned::Read(vec![0; len as usize]),
            WitOperation::Write(data) => Owned::Write(data),
            WitOperation::Transfer(data) => Owned::Transfer(data),
            WitOperation::DelayNs(ns) => Owned::Delay(ns),
        })
        .collect();
    let mut hal_ops: Vec<Operation<'_, u8>> = owned
        .iter_mut()
        .map(|op| match op {
            Owned::Read(buf) => Operation::Read(buf),
            Owned::Write(data) => Operation::Write(data),
            Owned::Transfer(buf) => Operation::TransferInPlace(buf),
            Owned::Delay(ns) => Operation::DelayNs(*ns),
        })
        .collect();
    device.transaction(&mut hal_ops)?;
    drop(hal_ops);
    Ok(owned
        .into_iter()
        .filter_map(|op| match op {
            Owned::Read(buf) | Owned::Transfer(buf) => Some(buf),
            Owned::Write(_) | Owned::Delay(_) => None,
        })
        .collect())
}

impl WasiSpiView<'_> {
    /// The device behind `res`, borrowed from the table. A handle that is not in the table is
    /// a host fault: it traps.
    fn device(&self, res: &Resource<Device>) -> Result<&SharedSpiDevice, SpiHostError> {
        let device = self.table.get(res).map_err(TrappableError::trap)?;
        Ok(&device.shared)
    }
}

impl wit::Host for WasiSpiView<'_> {
    fn convert_error_code(&mut self, err: SpiHostError) -> wasmtime::Result<ErrorCode> {
        err.downcast()
    }

    fn get_device_names(&mut self) -> wasmtime::Result<Vec<String>> {
        Ok(self.ctx.devices.keys().cloned().collect())
    }

    fn open_device(&mut self, name: String) -> Result<Resource<Device>, SpiHostError> {
        // A name the board does not offer to this guest looks the same as a missing one.
        let Some(shared) = self.ctx.devices.get(&name).cloned() else {
            return Err(ErrorCode::NotPermitted.into());
        };
        let guest = self.ctx.guest;
        shared.acquire(guest)?;
        // From here the `Device` owns the hold: if pushing fails, dropping it releases it.
        self.table
            .push(Device { shared, guest })
            .map_err(TrappableError::trap)
    }
}

impl wit::HostDevice for WasiSpiView<'_> {
    fn configure(
        &mut self,
        self_: Resource<Device>,
        requested: Config,
    ) -> Result<Config, SpiHostError> {
        let device = self.device(&self_)?;
        Ok(device.configure(requested.into())?.into())
    }

    fn current_config(&mut self, self_: Resource<Device>) -> wasmtime::Result<Config> {
        Ok(self.device(&self_)?.current_config().into())
    }

    fn max_transfer_bytes(&mut self, self_: Resource<Device>) -> wasmtime::Result<u32> {
        Ok(self.device(&self_)?.policy().max_transfer_bytes)
    }

    fn read(&mut self, self_: Resource<Device>, len: u32) -> Result<Vec<u8>, SpiHostError> {
        let device = self.device(&self_)?;
        let mut bufs = run(device, vec![WitOperation::Read(len)])?;
        Ok(bufs.pop().unwrap_or_default())
    }

    fn write(&mut self, self_: Resource<Device>, data: Vec<u8>) -> Result<(), SpiHostError> {
        let device = self.device(&self_)?;
        Ok(write(device, &data)?)
    }

    fn transfer(
        &mut self,
        self_: Resource<Device>,
        data: Vec<u8>,
    ) -> Result<Vec<u8>, SpiHostError> {
        let device = self.device(&self_)?;
        let mut bufs = run(device, vec![WitOperation::Transfer(data)])?;
        Ok(bufs.pop().unwrap_or_default())
    }

    fn transaction(
        &mut self,
        self_: Resource<Device>,
        operations: Vec<WitOperation>,
    ) -> Result<Vec<Vec<u8>>, SpiHostError> {
        let device = self.device(&self_)?;
        Ok(run(device, operations)?)
    }

    fn drop(&mut self, rep: Resource<Device>) -> wasmtime::Result<()> {
        // Dropping the entry ends this handle's hold.
        self.table.delete(rep)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WasiSpiCtx;
    use wasmtime::component::ResourceTable;

    #[test]
    fn a_refusal_is_the_guest_error_and_a_missing_handle_traps() {
        let mut ctx = WasiSpiCtx::builder().build();
        let mut table = ResourceTable::new();
        let mut view = WasiSpiView {
            ctx: &mut ctx,
            table: &mut table,
        };
        let Err(refused) = wit::Host::open_device(&mut view, "display".into()) else {
            panic!("no device is offered");
        };
        assert!(matches!(
            wit::Host::convert_error_code(&mut view, refused),
            Ok(ErrorCode::NotPermitted)
        ));
        let stale = Resource::<Device>::new_own(7);
        let Err(fault) = wit::HostDevice::write(&mut view, stale, vec![1]) else {
            panic!("the handle is in no table");
        };
        assert!(wit::Host::convert_error_code(&mut view, fault).is_err());
    }
}
