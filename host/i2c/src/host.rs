//! The `wasi:i2c/i2c` host functions.

use crate::bindings::wasi::i2c::i2c::{
    self as wit, ErrorCode, NoAcknowledgeSource as WitSource, Operation as WitOperation,
};
use crate::bus::GuestId;
use crate::{I2cError, NoAcknowledgeSource, SharedI2cBus, WasiI2cView};
use embedded_hal::i2c::Operation;
use wasmtime::component::Resource;
use wasmtime_wasi::TrappableError;

/// What a host function that can fail gives back (bindgen's `trappable_error_type` for
/// `error-code`): an error the guest caused or the device reported, which the guest gets as
/// its `error-code`, or a host fault ([`TrappableError::trap`]), which traps.
pub type I2cHostError = TrappableError<ErrorCode>;

impl From<I2cError> for I2cHostError {
    fn from(e: I2cError) -> Self {
        ErrorCode::from(e).into()
    }
}

/// An open bus in the guest's resource table. Dropping it ends this handle's hold.
pub struct Bus {
    shared: SharedI2cBus,
    guest: GuestId,
}

impl Drop for Bus {
    fn drop(&mut self) {
        self.shared.release(self.guest, false);
    }
}

impl From<I2cError> for ErrorCode {
    fn from(e: I2cError) -> Self {
        match e {
            I2cError::Bus => ErrorCode::Bus,
            I2cError::ArbitrationLoss => ErrorCode::ArbitrationLoss,
            I2cError::NoAcknowledge(src) => ErrorCode::NoAcknowledge(match src {
                NoAcknowledgeSource::Address => WitSource::Address,
                NoAcknowledgeSource::Data => WitSource::Data,
                NoAcknowledgeSource::Unknown => WitSource::Unknown,
            }),
            I2cError::Overrun => ErrorCode::Overrun,
            I2cError::AddressNotPermitted => ErrorCode::AddressNotPermitted,
            I2cError::NotPermitted => ErrorCode::NotPermitted,
            I2cError::InUse => ErrorCode::InUse,
            I2cError::TooLarge => ErrorCode::TooLarge,
            I2cError::Other => ErrorCode::Other,
        }
    }
}

/// A segment with the buffer it reads into or writes from, owned by the host.
enum Owned {
    Read(Vec<u8>),
    Write(Vec<u8>),
}

/// Runs the guest's segments against `address` as one backend transaction and returns the
/// buffers of its reads, in order.
fn run(
    bus: &SharedI2cBus,
    address: u8,
    operations: Vec<WitOperation>,
) -> Result<Vec<Vec<u8>>, I2cError> {
    // Policy first: a refused address never reaches the bus.
    if !bus.policy().allows(address) {
        return Err(I2cError::AddressNotPermitted);
    }
    // Guest-controlled sizes: checked before the read buffers below are allocated. Summed in
    // u64 so that many large lengths cannot wrap around.
    let total: u64 = operations
        .iter()
        .map(|op| match op {
            WitOperation::Read(len) => u64::from(*len),
            WitOperation::Write(data) => data.len() as u64,
        })
        .sum();
    if total > u64::from(bus.policy().max_transfer_bytes) {
        return Err(I2cError::TooLarge);
    }
    // An empty transaction moves nothing: it does not touch the bus.
    if operations.is_empty() {
        return Ok(Vec::new());
    }
    let mut owned: Vec<Owned> = operations
        .into_iter()
        .map(|op| match op {
            WitOperation::Read(len) => Owned::Read(vec![0; len as usize]),
            WitOperation::Write(data) => Owned::Write(data),
        })
        .collect();
    let mut hal_ops: Vec<Operation<'_>> = owned
        .iter_mut()
        .map(|op| match op {
            Owned::Read(buf) => Operation::Read(buf),
            Owned::Write(data) => Operation::Write(data),
        })
        .collect();
    bus.transaction(address, &mut hal_ops)?;
    drop(hal_ops);
    Ok(owned
        .into_iter()
        .filter_map(|op| match op {
            Owned::Read(buf) => Some(buf),
            Owned::Write(_) => None,
        })
        .collect())
}

impl WasiI2cView<'_> {
    /// The bus behind `res`, borrowed from the table. A handle that is not in the table is a
    /// host fault: it traps.
    fn bus(&self, res: &Resource<Bus>) -> Result<&SharedI2cBus, I2cHostError> {
        let bus = self.table.get(res).map_err(TrappableError::trap)?;
        Ok(&bus.shared)
    }
}

impl wit::Host for WasiI2cView<'_> {
    fn convert_error_code(&mut self, err: I2cHostError) -> wasmtime::Result<ErrorCode> {
        err.downcast()
    }

    fn get_bus_names(&mut self) -> wasmtime::Result<Vec<String>> {
        Ok(self.ctx.buses.keys().cloned().collect())
    }

    fn open_bus(&mut self, name: String) -> Result<Resource<Bus>, I2cHostError> {
        // A name the board does not offer to this guest looks the same as a missing one.
        let Some(shared) = self.ctx.buses.get(&name).cloned() else {
            return Err(ErrorCode::NotPermitted.into());
        };
        let guest = self.ctx.guest;
        shared.acquire(guest)?;
        // From here the `Bus` owns the hold: if pushing fails, dropping it releases it.
        self.table
            .push(Bus { shared, guest })
            .map_err(TrappableError::trap)
    }
}

impl wit::HostBus for WasiI2cView<'_> {
    fn max_transfer_bytes(&mut self, self_: Resource<Bus>) -> wasmtime::Result<u32> {
        Ok(self.bus(&self_)?.policy().max_transfer_bytes)
    }

    fn transaction(
        &mut self,
        self_: Resource<Bus>,
        address: u8,
        operations: Vec<WitOperation>,
    ) -> Result<Vec<Vec<u8>>, I2cHostError> {
        let bus = self.bus(&self_)?;
        Ok(run(bus, address, operations)?)
    }

    fn read(
        &mut self,
        self_: Resource<Bus>,
        address: u8,
        len: u32,
    ) -> Result<Vec<u8>, I2cHostError> {
        let bus = self.bus(&self_)?;
        let mut bufs = run(bus, address, vec![WitOperation::Read(len)])?;
        Ok(bufs.pop().unwrap_or_default())
    }

    fn write(
        &mut self,
        self_: Resource<Bus>,
        address: u8,
        data: Vec<u8>,
    ) -> Result<(), I2cHostError> {
        let bus = self.bus(&self_)?;
        run(bus, address, vec![WitOperation::Write(data)])?;
        Ok(())
    }

    fn write_read(
        &mut self,
        self_: Resource<Bus>,
        address: u8,
        data: Vec<u8>,
        len: u32,
    ) -> Result<Vec<u8>, I2cHostError> {
        let bus = self.bus(&self_)?;
        let ops = vec![WitOperation::Write(data), WitOperation::Read(len)];
        let mut bufs = run(bus, address, ops)?;
        Ok(bufs.pop().unwrap_or_default())
    }

    fn drop(&mut self, rep: Resource<Bus>) -> wasmtime::Result<()> {
        // Dropping the entry ends this handle's hold.
        self.table.delete(rep)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WasiI2cCtx;
    use wasmtime::component::ResourceTable;

    #[test]
    fn a_refusal_is_the_guest_error_and_a_missing_handle_traps() {
        let mut ctx = WasiI2cCtx::builder().build();
        let mut table = ResourceTable::new();
        let mut view = WasiI2cView {
            ctx: &mut ctx,
            table: &mut table,
        };
        let Err(refused) = wit::Host::open_bus(&mut view, "i2c0".into()) else {
            panic!("no bus is offered");
        };
        assert!(matches!(
            wit::Host::convert_error_code(&mut view, refused),
            Ok(ErrorCode::NotPermitted)
        ));
        let stale = Resource::<Bus>::new_own(7);
        let Err(fault) = wit::HostBus::write(&mut view, stale, 0x3c, vec![1]) else {
            panic!("the handle is in no table");
        };
        assert!(wit::Host::convert_error_code(&mut view, fault).is_err());
    }
}
