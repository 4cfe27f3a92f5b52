//! The allocator, panic handler and `cabi_realloc` for wasm32.

extern crate alloc;

use alloc::alloc::{Layout, alloc, handle_alloc_error, realloc};

#[global_allocator]
static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// The canonical ABI's allocation function. On wasm32-wasip2 wit-bindgen leaves it to the C
/// library, which a no_std component does not link, so it is defined here.
///
/// # Safety
/// Called by the component model's lowering code with the arguments the canonical ABI defines:
/// `old_ptr`/`old_len` describe an earlier allocation from this function (or are 0), `align` is a
/// power of two.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(
    old_ptr: *mut u8,
    old_len: usize,
    align: usize,
    new_len: usize,
) -> *mut u8 {
    if new_len == 0 {
        return align as *mut u8;
    }
    let Ok(layout) = Layout::from_size_align(new_len, align) else {
        core::arch::wasm32::unreachable()
    };
    // SAFETY: the layout has a non-zero size; `old_ptr` came from this allocator with the same
    // alignment, as the canonical ABI guarantees.
    let ptr = unsafe {
        if old_len == 0 {
            alloc(layout)
        } else {
            let old = Layout::from_size_align_unchecked(old_len, align);
            realloc(old_ptr, old, new_len)
        }
    };
    if ptr.is_null() {
        handle_alloc_error(layout);
    }
    ptr
}
