//! The bounded queue readings wait in while the broker is away.

use std::collections::VecDeque;

/// A first-in first-out queue that holds at most `bound` items: a push onto a full queue drops
/// the oldest item and counts it.
#[derive(Debug)]
pub struct BoundedQueue<T> {
    items: VecDeque<T>,
    bound: usize,
    dropped: u64,
}

impl<T> BoundedQueue<T> {
    /// An empty queue of at most `bound` items (at least 1).
    pub fn new(bound: usize) -> Self {
        let bound = bound.max(1);
        BoundedQueue {
            items: VecDeque::with_capacity(bound.min(1024)),
            bound,
            dropped: 0,
        }
    }

    /// Adds `item` at the back; when the queue is full the oldest item is dropped and counted.
    pub fn push(&mut self, item: T) {
        if self.items.len() == self.bound {
            self.items.pop_front();
            self.dropped += 1;
        }
        self.items.push_back(item);
    }

    /// Puts `items` (oldest first) back at the front, before everything queued, as they were
    /// taken; past the bound the oldest of all are dropped and counted.
    pub fn push_front_all(&mut self, items: impl DoubleEndedIterator<Item = T>) {
        for item in items.rev() {
            self.items.push_front(item);
        }
        while self.items.len() > self.bound {
            self.items.pop_front();
            self.dropped += 1;
        }
    }

    /// Takes the oldest item.
    pub fn pop(&mut self) -> Option<T> {
        self.items.pop_front()
    }

    /// How many items wait.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many items were dropped because the queue was full, since it was made.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The most items it holds.
    pub fn bound(&self) -> usize {
        self.bound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_bound_the_oldest_are_dropped_and_counted() {
        let mut q = BoundedQueue::new(3);
        for i in 0..5 {
            q.push(i);
        }
        assert_eq!(q.dropped(), 2);
        assert_eq!(q.len(), 3);
        assert_eq!(
            std::iter::from_fn(|| q.pop()).collect::<Vec<_>>(),
            vec![2, 3, 4]
        );
    }

    #[test]
    fn items_put_back_leave_first_in_their_order() {
        let mut q = BoundedQueue::new(4);
        q.push(3);
        q.push(4);
        q.push_front_all(vec![0, 1, 2].into_iter());
        // Five items in a queue of four: the oldest (0) goes.
        assert_eq!(q.dropped(), 1);
        assert_eq!(
            std::iter::from_fn(|| q.pop()).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
    }
}
