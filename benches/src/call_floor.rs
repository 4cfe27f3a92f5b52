//! What Wasmtime itself costs for figure 1's call: the same `spi-noop` guest and the same
//! `wasi:spi` WIT, served by a host that does nothing (no resource table, no hold, no size check,
//! no lock, no backend). Its time is the floor under any host crate for
//! `device.transaction([])`; the gap between it and `spi_call/noop_transaction` is what
//! `wasi-hal-spi` adds (docs/performance.md, "The no-op call, profiled").

use anyhow::{Result, anyhow};
use wasmtime::component::{Component, HasSelf, Linker, Resource, ResourceTable, TypedFunc};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit/wasi-spi",
        world: "wasi:spi/imports",
        with: { "wasi:spi/spi.device": super::NoDevice },
    });
}

use bindings::wasi::spi::spi::{self as wit, Config, ErrorCode, Operation};

/// The device of the floor host: a handle with nothing behind it.
pub struct NoDevice;

/// The floor host's store data: WASI for the guest's runtime, and nothing else.
pub struct FloorHost {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for FloorHost {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl wit::Host for FloorHost {
    fn get_device_names(&mut self) -> Vec<String> {
        Vec::new()
    }

    fn open_device(&mut self, _name: String) -> Result<Resource<NoDevice>, ErrorCode> {
        Ok(Resource::new_own(0))
    }
}

impl wit::HostDevice for FloorHost {
    fn configure(&mut self, _: Resource<NoDevice>, requested: Config) -> Result<Config, ErrorCode> {
        Ok(requested)
    }

    fn current_config(&mut self, _: Resource<NoDevice>) -> Config {
        Config {
            frequency_hz: 0,
            mode: wit::Mode::Mode0,
            bit_order: wit::BitOrder::MsbFirst,
        }
    }

    fn max_transfer_bytes(&mut self, _: Resource<NoDevice>) -> u32 {
        0
    }

    fn read(&mut self, _: Resource<NoDevice>, _len: u32) -> Result<Vec<u8>, ErrorCode> {
        Ok(Vec::new())
    }

    fn write(&mut self, _: Resource<NoDevice>, _data: Vec<u8>) -> Result<(), ErrorCode> {
        Ok(())
    }

    fn transfer(&mut self, _: Resource<NoDevice>, data: Vec<u8>) -> Result<Vec<u8>, ErrorCode> {
        Ok(data)
    }

    fn transaction(
        &mut self,
        _: Resource<NoDevice>,
        _operations: Vec<Operation>,
    ) -> Result<Vec<Vec<u8>>, ErrorCode> {
        Ok(Vec::new())
    }

    fn drop(&mut self, _: Resource<NoDevice>) -> wasmtime::Result<()> {
        Ok(())
    }
}

/// The `spi-noop` guest on the floor host, its device open.
pub struct FloorGuest {
    store: Store<FloorHost>,
    transactions: TypedFunc<(u32,), (Result<(), String>,)>,
    bare_calls: TypedFunc<(u32,), ()>,
}

impl FloorGuest {
    /// Instantiates the guest with `engine` on the floor host and opens its device.
    pub fn new(engine: &Engine) -> Result<FloorGuest> {
        let component = Component::from_file(engine, test_programs_artifacts::BENCH_SPI_NOOP)?;
        let mut linker = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        wit::add_to_linker::<FloorHost, HasSelf<FloorHost>>(&mut linker, |host| host)?;
        crate::add_bare(&mut linker)?;
        let mut store = Store::new(
            engine,
            FloorHost {
                wasi: WasiCtx::builder().build(),
                table: ResourceTable::new(),
            },
        );
        store.set_epoch_deadline(1 << 40);
        let instance = linker.instantiate(&mut store, &component)?;
        let open =
            instance.get_typed_func::<(String,), (Result<(), String>,)>(&mut store, "open")?;
        let (opened,) = open.call(&mut store, ("null".to_string(),))?;
        opened.map_err(|e| anyhow!("opening the floor device failed: {e}"))?;
        Ok(FloorGuest {
            transactions: instance.get_typed_func(&mut store, "transactions")?,
            bare_calls: instance.get_typed_func(&mut store, "bare-calls")?,
            store,
        })
    }

    /// Makes `n` no-op transactions from the guest.
    pub fn transactions(&mut self, n: u32) -> Result<()> {
        let (result,) = self.transactions.call(&mut self.store, (n,))?;
        result.map_err(|e| anyhow!("the transactions failed: {e}"))
    }

    /// Makes `n` calls of `bare` (no arguments, no results) from the guest.
    pub fn bare_calls(&mut self, n: u32) -> Result<()> {
        self.bare_calls.call(&mut self.store, (n,))?;
        Ok(())
    }
}
