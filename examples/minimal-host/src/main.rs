//! A minimal third-party Wasmtime host: `minimal-host <pmod-oled.wasm> <board.toml>` loads the
//! Pmod OLED driver component, links it with plain wasmtime and the wasi-hal host crates over
//! the board file's simulated parts, draws a border and a square through `display:pixels`, and
//! prints what the simulated glass shows (`#` lit, `.` dark).
use anyhow::{Context, anyhow};
use wasi_hal_board::Board;
use wasi_hal_linker::{WasiHalCtx, WasiHalCtxView, WasiHalView};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};

/// The generated bindings of the `display:pixels/driver` world: the driver's exports.
mod bindings {
    #![allow(missing_docs, reason = "generated")]
    wasmtime::component::bindgen!({ path: "../../wit/display-pixels", world: "display:pixels/driver" });
}
use bindings::{Driver, exports::display::pixels::display::Rect};

/// The store's data: the host crates' contexts for this guest, its settings, and the table.
struct Host {
    hal: WasiHalCtx,
    table: ResourceTable,
}

impl WasiHalView for Host {
    fn hal(&mut self) -> WasiHalCtxView<'_> {
        WasiHalCtxView {
            ctx: &mut self.hal,
            table: &mut self.table,
        }
    }
}

fn main() -> anyhow::Result<()> {
    let usage = "usage: minimal-host <driver.wasm> <board.toml>";
    let mut args = std::env::args().skip(1);
    let (driver, board) = (args.next().context(usage)?, args.next().context(usage)?);
    // The board: every device behind its name, with its policy (here simulated parts).
    let board = Board::load(&board).map_err(|e| anyhow!("{e}"))?;
    let engine = Engine::default();
    let mut linker = Linker::<Host>::new(&engine);
    // wasi:spi, wasi:i2c, wasi:gpio, wasi:delay and wasi:config (this driver needs no WASI 0.2).
    wasi_hal_linker::add_only_hal_to_linker_sync(&mut linker)?;
    let (hal, table) = (board.guest_ctx(), ResourceTable::new());
    let mut store = Store::new(&engine, Host { hal, table });
    let component = Component::from_file(&engine, &driver)
        .map_err(|e| anyhow!("cannot load {driver}: {e:#}"))?;
    let api = Driver::instantiate(&mut store, &component, &linker)?;
    let api = api.display_pixels_display();
    let display = api.call_open(&mut store)?.map_err(|e| anyhow!("{e:?}"))?;
    let area = api.display().call_get_info(&mut store, display)?;
    // One mono1 frame (rows of bytes, MSB = leftmost pixel): a border, a 16x16 square at (8, 8).
    let (w, h, stride) = (area.width, area.height, area.width.div_ceil(8));
    let mut pixels = vec![0u8; (stride * h) as usize];
    for (x, y) in (0..h).flat_map(|y| (0..w).map(move |x| (x, y))) {
        let square = (8..24).contains(&x) && (8..24).contains(&y);
        if square || x == 0 || y == 0 || x == w - 1 || y == h - 1 {
            pixels[(y * stride + x / 8) as usize] |= 0x80 >> (x % 8);
        }
    }
    let all = Rect {
        x: 0,
        y: 0,
        width: w,
        height: h,
    };
    let presented = api
        .display()
        .call_present_region(&mut store, display, all, &pixels)?;
    presented.map_err(|e| anyhow!("{e:?}"))?;
    // What the simulated glass shows now.
    let sim = board.simulated().context("the board is not simulated")?;
    for name in sim.display_names() {
        let frame = sim.frame(name).context("a display without a frame")?;
        for y in 0..frame.height {
            let row = (0..frame.width).map(|x| match frame.pixel(x, y) {
                Some([0, 0, 0]) => '.',
                _ => '#',
            });
            println!("{}", row.collect::<String>());
        }
    }
    Ok(())
}
