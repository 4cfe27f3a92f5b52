//! Frame pacing for apps: a steady frame rate in the host's time (`wasi:delay`), with no wall
//! clock, so a run on a simulated board is deterministic.

/// Nanoseconds per frame at 30 frames per second.
pub const FRAME_NS_30_FPS: u64 = 1_000_000_000 / 30;

/// Keeps frames `frame_ns` apart: after each frame's work, [`wait_ns`](Self::wait_ns) says how
/// long to wait (with `delay-ns`) so that the next frame starts on time.
///
/// A frame that took longer than planned is not made up for by later, shorter frames once it is
/// more than one frame late: the schedule starts again from now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pacer {
    frame_ns: u64,
    next: u64,
}

impl Pacer {
    /// A pacer whose first frame ends `frame_ns` after `now_ns`.
    pub fn new(frame_ns: u64, now_ns: u64) -> Self {
        Self {
            frame_ns,
            next: now_ns.saturating_add(frame_ns),
        }
    }

    /// How long to wait at `now_ns`, at the end of a frame; moves on to the next frame.
    pub fn wait_ns(&mut self, now_ns: u64) -> u64 {
        let wait = self.next.saturating_sub(now_ns);
        if now_ns > self.next.saturating_add(self.frame_ns) {
            self.next = now_ns.saturating_add(self.frame_ns);
        } else {
            self.next = self.next.saturating_add(self.frame_ns);
        }
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_for_the_rest_of_the_frame() {
        let mut pacer = Pacer::new(100, 1_000);
        assert_eq!(pacer.wait_ns(1_030), 70);
        // The next frame ends at 1_200 whatever the work took.
        assert_eq!(pacer.wait_ns(1_190), 10);
        assert_eq!(pacer.wait_ns(1_300), 0);
        assert_eq!(pacer.wait_ns(1_350), 50);
    }

    #[test]
    fn a_late_frame_restarts_the_schedule_instead_of_rushing() {
        let mut pacer = Pacer::new(100, 0);
        assert_eq!(pacer.wait_ns(550), 0);
        assert_eq!(pacer.wait_ns(600), 50);
        assert_eq!(pacer.wait_ns(650), 100);
    }
}
