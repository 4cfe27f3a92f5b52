//! Inside the VM: a guest component instantiated with every wasi-hal interface of a board, and
//! its exports called one at a time, so a test can act on the kernel between two guest calls.

use wasi_hal_board::Board;
use wasi_hal_linker::{WasiHalCtx, WasiHalCtxView, WasiHalView, add_only_hal_to_linker_sync};
use wasmtime::component::{
    Component, ComponentNamedList, Instance, Lift, Linker, Lower, ResourceTable,
};
use wasmtime::{Engine, Store};

/// The store's data: the guest's wasi-hal contexts and its resource table.
pub struct State {
    hal: WasiHalCtx,
    table: ResourceTable,
}

impl WasiHalView for State {
    fn hal(&mut self) -> WasiHalCtxView<'_> {
        WasiHalCtxView {
            ctx: &mut self.hal,
            table: &mut self.table,
        }
    }
}

/// One instance of a component on a board.
pub struct Guest {
    store: Store<State>,
    instance: Instance,
}

impl Guest {
    /// Instantiates the component at `path` with `board`'s devices (through the same Linux
    /// backends `wasi-hal run` uses).
    pub fn new(board: &Board, path: &str) -> Guest {
        let engine = Engine::default();
        let component = Component::from_file(&engine, path)
            .unwrap_or_else(|e| panic!("cannot load {path}: {e:#}"));
        let mut linker = Linker::<State>::new(&engine);
        add_only_hal_to_linker_sync(&mut linker).expect("link wasi-hal");
        let mut store = Store::new(
            &engine,
            State {
                hal: board.guest_ctx(),
                table: ResourceTable::new(),
            },
        );
        let instance = linker
            .instantiate(&mut store, &component)
            .unwrap_or_else(|e| panic!("cannot instantiate {path}: {e:#}"));
        Guest { store, instance }
    }

    /// Calls the export `name`; a trap is an `Err`.
    pub fn try_call<P, R>(&mut self, name: &str, params: P) -> wasmtime::Result<R>
    where
        P: ComponentNamedList + Lower,
        R: ComponentNamedList + Lift,
    {
        let func = self
            .instance
            .get_typed_func::<P, R>(&mut self.store, name)
            .unwrap_or_else(|e| panic!("export {name}: {e:#}"));
        func.call(&mut self.store, params)
    }

    /// Calls the export `name`, which must not trap.
    pub fn call<P, R>(&mut self, name: &str, params: P) -> R
    where
        P: ComponentNamedList + Lower,
        R: ComponentNamedList + Lift,
    {
        self.try_call(name, params)
            .unwrap_or_else(|e| panic!("{name} trapped: {e:#}"))
    }
}
