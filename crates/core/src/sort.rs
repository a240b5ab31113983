//! One stable sort for the many small lists the app orders (rows of a table, pairs of runs,
//! strata of a sample). `slice::sort_by` is compiled once per comparison closure, and each copy of
//! the standard library's stable sort is about 4 kB of wasm; these functions sort positions with
//! one shared, non-generic sort and then move the items, so each call site adds only the move.
//! For lists of up to some thousands of items, where the extra indirection costs nothing felt;
//! the answer list's sort (`filter::select`) keeps `slice::sort_by`.

use std::cmp::Ordering;

/// Sorts `items` by `compare`, stably (equal items keep their order), as `slice::sort_by`.
pub fn sort_by<T>(items: &mut Vec<T>, mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    {
        let items = &*items;
        sort_positions(&mut order, &mut |a, b| match (items.get(a), items.get(b)) {
            (Some(a), Some(b)) => compare(a, b),
            _ => Ordering::Equal,
        });
    }
    let mut taken: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| taken.get_mut(i).and_then(Option::take)));
}

/// Sorts `items` by the key `key` gives each, stably, as `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The one stable sort every call above shares.
#[inline(never)]
fn sort_positions(order: &mut [usize], compare: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_by(|&a, &b| compare(a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_as_the_standard_library_does_equal_items_keeping_their_order() {
        let mut random = crate::random::SplitMix64(7);
        for len in [0, 1, 2, 3, 17, 200, 1000] {
            let items: Vec<(u8, usize)> = (0..len).map(|i| ((random.next_u64() % 7) as u8, i)).collect();
            let mut ours = items.clone();
            sort_by_key(&mut ours, |item| item.0);
            let mut std = items.clone();
            std.sort_by_key(|item| item.0);
            assert_eq!(ours, std, "{len} items");
            let mut reversed = items.clone();
            sort_by(&mut reversed, |a, b| b.0.cmp(&a.0));
            std.sort_by_key(|item| std::cmp::Reverse(item.0));
            assert_eq!(reversed, std, "{len} items, descending");
        }
    }

    #[test]
    fn floats_sort_by_total_order() {
        let mut values = vec![3.0, f64::NAN, -1.0, 0.5, f64::NEG_INFINITY];
        sort_by(&mut values, f64::total_cmp);
        assert_eq!(values[..4], [f64::NEG_INFINITY, -1.0, 0.5, 3.0]);
        assert!(values[4].is_nan());
    }
}
