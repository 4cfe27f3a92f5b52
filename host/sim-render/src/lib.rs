//! Rendering of simulated-board output: PNG screenshots, animated recordings, a terminal view
//! and JSON-lines bus traces.
