//! CPU work split over the machine's cores, for the stateless halves of appends and audits
//! (signature checks, encoding, parsing) while the stateful half stays sequential.

/// Below this many items, threads cost more than they save.
pub const MIN_ITEMS: usize = 64;

fn threads(items: usize) -> usize {
    if items < MIN_ITEMS {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `work` applied to consecutive parts of `items`, one part per core, results in order. `work`
/// gets each part's offset into `items` (so it can report positions) and answers one result
/// per item.
pub fn map_parts<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&[T], usize) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = threads(items.len());
    if threads == 1 {
        return work(items, 0);
    }
    let chunk = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(i, part)| scope.spawn(move || work(part, i * chunk)))
            .collect();
        join_in_order(handles)
    })
}

/// [`map_parts`] over owned items, each part moved to its thread.
pub fn map_owned_parts<T: Send, R: Send>(
    mut items: Vec<T>,
    work: impl Fn(Vec<T>) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = threads(items.len());
    if threads == 1 {
        return work(items);
    }
    let chunk = items.len().div_ceil(threads);
    let mut parts = Vec::with_capacity(threads);
    while items.len() > chunk {
        let rest = items.split_off(chunk);
        parts.push(std::mem::replace(&mut items, rest));
    }
    parts.push(items);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || work(part)))
            .collect();
        join_in_order(handles)
    })
}

fn join_in_order<R>(handles: Vec<std::thread::ScopedJoinHandle<'_, Vec<R>>>) -> Vec<R> {
    let mut out = Vec::new();
    for h in handles {
        match h.join() {
            Ok(part) => out.extend(part),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_order_with_their_offsets() {
        let items: Vec<usize> = (0..1000).collect();
        let out = map_parts(&items, |part, offset| {
            part.iter()
                .enumerate()
                .map(|(i, x)| (offset + i, *x * 2))
                .collect()
        });
        assert_eq!(out.len(), 1000);
        assert!(
            out.iter()
                .enumerate()
                .all(|(i, &(at, x))| at == i && x == i * 2)
        );
        let owned = map_owned_parts(items.clone(), |part| {
            part.into_iter().map(|x| x + 1).collect()
        });
        assert_eq!(owned, (1..=1000).collect::<Vec<_>>());
        assert_eq!(
            map_parts(&items[..3], |p, o| p.iter().map(|x| x + o).collect()),
            [0, 1, 2]
        );
    }
}
