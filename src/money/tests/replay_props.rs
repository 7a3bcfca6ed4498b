//! Property: for random logs of donations, disbursements, grants and corrections over a few
//! organisations, projects and currencies (entries the model refuses are skipped, as the ledger
//! would), the books always balance and a replay reproduces every view.

use std::collections::BTreeMap;

use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::ledger::{Currency, Kind, Uscc};

use super::testkit::*;
use crate::money::books::sums::{Flows, Total};
use crate::money::state::{EntryCtx, MoneyState};
use crate::money::types::{DonationForm, Money, SpendCategory};
use crate::money::views::ViewDelta;

#[derive(Debug, Clone)]
enum Op {
    Donate {
        org: usize,
        project: Option<usize>,
        cur: usize,
        cents: u32,
    },
    Goods {
        org: usize,
        project: Option<usize>,
    },
    Disburse {
        org: usize,
        project: Option<usize>,
        cur: usize,
        cents: u32,
        category: usize,
    },
    Grant {
        org: usize,
        from: Option<usize>,
        to_org: usize,
        to_project: usize,
        cur: usize,
        cents: u32,
    },
    Void {
        pick: usize,
    },
    Amend {
        pick: usize,
        cents: u32,
    },
    /// Voids an earlier correction (which restores what it changed).
    Unvoid {
        pick: usize,
    },
}

const CURRENCIES: [&str; 2] = ["CNY", "USD"];
const CATEGORIES: [&str; 3] = ["programme", "administration", "fundraising"];

fn op() -> impl Strategy<Value = Op> {
    let org = 0..3usize;
    let project = proptest::option::of(0..2usize);
    // Mostly one currency, so that draws often find money to draw on.
    let cur = || prop_oneof![4 => Just(0usize), 1 => Just(1usize)];
    prop_oneof![
        4 => (org.clone(), project.clone(), cur(), 1_000..20_000u32).prop_map(|(org, project, cur, cents)| Op::Donate { org, project, cur, cents }),
        1 => (org.clone(), project.clone()).prop_map(|(org, project)| Op::Goods { org, project }),
        4 => (org.clone(), project.clone(), cur(), 1..6_000u32, 0..3usize)
            .prop_map(|(org, project, cur, cents, category)| Op::Disburse { org, project, cur, cents, category }),
        2 => (org.clone(), project, org, 0..2usize, cur(), 1..6_000u32)
            .prop_map(|(org, from, to_org, to_project, cur, cents)| Op::Grant { org, from, to_org, to_project, cur, cents }),
        1 => any::<usize>().prop_map(|pick| Op::Void { pick }),
        1 => (any::<usize>(), 1..50_000u32).prop_map(|(pick, cents)| Op::Amend { pick, cents }),
        1 => any::<usize>().prop_map(|pick| Op::Unvoid { pick }),
    ]
}

fn money(cents: u32) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn project_name(p: usize) -> String {
    format!("P{p}")
}

fn run(ops: &[Op]) -> Kit {
    let mut k = Kit::new();
    let orgs: Vec<Uscc> = (0..3)
        .map(|n| k.register(n + 1, "foundation", false))
        .collect();
    for o in &orgs {
        for (p, purpose) in ["教育", "卫生"].into_iter().enumerate() {
            k.project(o, &project_name(p), purpose);
        }
    }
    // Accepted money entries: (seq, author index, kind, body).
    let mut money_entries: Vec<(u64, usize, Kind, Value)> = Vec::new();
    // Accepted corrections: (seq, author index).
    let mut corrections: Vec<(u64, usize)> = Vec::new();
    let mut receipts = 0u32;
    for op in ops {
        let (author, kind, body) = match op {
            Op::Donate {
                org,
                project,
                cur,
                cents,
            } => {
                receipts += 1;
                let p = project.map(project_name);
                let mut v = cash(
                    &format!("R{receipts}"),
                    p.as_deref(),
                    &money(*cents),
                    CURRENCIES[*cur],
                );
                // Some gifts restricted to a later year (their income is released then).
                if cents % 5 == 0 {
                    v["restricted_until_year"] = json!(2027);
                }
                (*org, Kind::Donation, v)
            }
            Op::Goods { org, project } => {
                receipts += 1;
                let mut v = json!({"receipt_no": format!("R{receipts}"), "received_on": "2026-05-20", "form": "in_kind",
                    "in_kind": {"description": "图书", "quantity": "10", "unit": "册"}, "donor_type": "anonymous",
                    "donor_display": "爱心人士", "receipt": "waived", "commitment": h(1)});
                if let Some(p) = project {
                    v["project"] = json!(project_name(*p));
                }
                (*org, Kind::Donation, v)
            }
            Op::Disburse {
                org,
                project,
                cur,
                cents,
                category,
            } => {
                let p = project.map(project_name);
                let mut v = pay(p.as_deref(), &money(*cents), CURRENCIES[*cur]);
                v["category"] = json!(CATEGORIES[*category]);
                v["related_party"] = json!(cents % 3 == 0);
                (*org, Kind::Disbursement, v)
            }
            Op::Grant {
                org,
                from,
                to_org,
                to_project,
                cur,
                cents,
            } => {
                let f = from.map(project_name);
                (
                    *org,
                    Kind::GrantTransfer,
                    grant(
                        f.as_deref(),
                        &orgs[*to_org],
                        &project_name(*to_project),
                        &money(*cents),
                        CURRENCIES[*cur],
                    ),
                )
            }
            Op::Void { pick } if !money_entries.is_empty() => {
                let (seq, author, _, _) = &money_entries[pick % money_entries.len()];
                (*author, Kind::Correction, void(*seq))
            }
            Op::Amend { pick, cents } if !money_entries.is_empty() => {
                let (seq, author, _, body) = &money_entries[pick % money_entries.len()];
                let mut b = body.clone();
                if b.get("amount").is_none() {
                    continue;
                }
                b["amount"] = json!(money(*cents));
                (*author, Kind::Correction, amend(*seq, b))
            }
            Op::Unvoid { pick } if !corrections.is_empty() => {
                let (seq, author) = corrections[pick % corrections.len()];
                (author, Kind::Correction, void(seq))
            }
            _ => continue,
        };
        match k.as_org(&orgs[author], kind, body.clone()) {
            Ok(seq) if kind == Kind::Correction => corrections.push((seq, author)),
            Ok(seq) => money_entries.push((seq, author, kind, body)),
            Err(_) => {}
        }
    }
    k
}

fn check(k: &Kit) -> Result<(), TestCaseError> {
    let s = &k.state;
    let mut balances: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for (fund, b) in s.balances() {
        prop_assert!(b.0 >= Decimal::ZERO, "negative balance {fund:?} {b}");
        *balances.entry(fund.currency).or_default() += b.0;
    }
    // Income minus spending, summed over every organisation and year, is what the funds hold.
    let mut net: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for f in s.org_year_figures() {
        *net.entry(f.currency).or_default() += f.income.0 - f.total_spending.0;
    }
    for cur in balances.keys().chain(net.keys()) {
        prop_assert_eq!(
            balances.get(cur).copied().unwrap_or_default(),
            net.get(cur).copied().unwrap_or_default(),
            "{}",
            cur
        );
    }
    // Every donation's money is either spent or sitting somewhere, and the sittings add up.
    let mut unspent: BTreeMap<Currency, Decimal> = BTreeMap::new();
    for d in k.donations() {
        let t = k
            .trace(&d.org, &d.body.receipt_no)
            .expect("live donation has a trace");
        if let (Some(amount), Some(cur)) = (t.amount, t.currency) {
            prop_assert_eq!(t.spent_total.0 + t.unspent_total.0, amount.0);
            *unspent.entry(cur).or_default() += t.unspent_total.0;
        }
        // Every spend and grant is dated 2026: money restricted until 2027 never moved.
        if d.body.restricted_until_year.is_some() {
            prop_assert!(t.spent.is_empty() && t.moved.is_empty(), "{t:?}");
        }
        // Restricted money pays only charitable activity.
        for sp in &t.spent {
            prop_assert!(
                sp.fund.project.is_none() || sp.category == SpendCategory::Programme,
                "{sp:?}"
            );
        }
    }
    for (cur, b) in &balances {
        prop_assert_eq!(unspent.get(cur).copied().unwrap_or_default(), *b);
    }
    // The sums kept as entries step equal sums taken afresh over every record.
    let (flows, totals, related) = naive_sums(k);
    let kept: BTreeMap<_, _> = s.books.sums.flows.clone().into_iter().collect();
    prop_assert_eq!(kept, flows);
    let kept: BTreeMap<_, _> = s.books.sums.totals.clone().into_iter().collect();
    prop_assert_eq!(kept, totals);
    let kept: Vec<_> = s.books.sums.related_party.keys().copied().collect();
    prop_assert_eq!(kept, related);
    // Replays reproduce the views, and so does a from-scratch rebuild of the books.
    let rows = k.view_rows();
    let r1 = k.replay().view_rows();
    let r2 = k.replay().view_rows();
    prop_assert_eq!(&r1, &r2);
    prop_assert_eq!(&r1, &rows);
    Ok(())
}

type NaiveSums = (
    BTreeMap<(Uscc, Currency, i32), Flows>,
    BTreeMap<String, Total>,
    Vec<(u64, u32)>,
);

/// The figures' flows, the totals and the related-party spends summed the slow, obvious way:
/// over every live donation and spend record, with the conventions of `crate::money::regulator::figures`.
fn naive_sums(k: &Kit) -> NaiveSums {
    let s = &k.state;
    let mut flows: BTreeMap<(Uscc, Currency, i32), Flows> = BTreeMap::new();
    let mut totals: BTreeMap<String, Total> = BTreeMap::new();
    let total = |org: &Uscc, project: Option<&str>, cur: Currency, year: i32| {
        let b = s.books();
        let (purpose, region) = match project {
            Some(p) => {
                let rec = s
                    .projects()
                    .find(|r| &r.org == org && r.open.id.as_str() == p);
                let rec = rec.expect("a fund's project exists");
                (
                    rec.open.purpose.to_string(),
                    rec.open.region.as_str().to_owned(),
                )
            }
            None => (
                "unrestricted".to_owned(),
                b.orgs[org].register.region.as_str().to_owned(),
            ),
        };
        [
            format!("totals/year/{year}/{cur}"),
            format!("totals/purpose/{purpose}/{year}/{cur}"),
            format!("totals/region/{region}/{year}/{cur}"),
        ]
    };
    for d in k.donations() {
        let Some((amount, cur)) = d.body.value() else {
            continue;
        };
        let (a, year) = (amount.decimal(), d.body.received_on.year());
        let f = flows.entry((d.org.clone(), cur, year)).or_default();
        match d.body.form {
            DonationForm::Cash => f.donation += a,
            DonationForm::InKind => f.in_kind += a,
        }
        if let Some(until) = d.body.restricted_until_year {
            f.restricted_later += a;
            flows
                .entry((d.org.clone(), cur, until.0))
                .or_default()
                .released += a;
        }
        for k in total(
            &d.org,
            d.body.project.as_ref().map(|p| p.as_str()),
            cur,
            year,
        ) {
            let t = totals.entry(k).or_default();
            t.donations = Money(t.donations.0 + a);
        }
    }
    let mut related = Vec::new();
    for ((seq, i), sp) in k.spends().iter() {
        let (a, cur, year) = (sp.amount.0, sp.from.currency, sp.paid_on.year());
        if sp.kind == Kind::Disbursement {
            let f = flows.entry((sp.from.org.clone(), cur, year)).or_default();
            match sp.category {
                SpendCategory::Programme => f.charitable += a,
                SpendCategory::Administration => f.admin += a,
                SpendCategory::Fundraising => f.fundraising += a,
            }
        } else if let Some(to) = sp.to.as_ref().filter(|to| to.org != sp.from.org) {
            flows
                .entry((sp.from.org.clone(), cur, year))
                .or_default()
                .charitable += a;
            flows
                .entry((to.org.clone(), cur, year))
                .or_default()
                .grant_in += a;
        }
        let project = sp.from.project.as_ref().map(|p| p.as_str());
        for k in total(&sp.from.org, project, cur, year) {
            let t = totals.entry(k).or_default();
            if sp.to.is_none() {
                t.disbursed = Money(t.disbursed.0 + a);
            } else {
                t.granted = Money(t.granted.0 + a);
            }
        }
        if sp.related_party {
            related.push((*seq, *i));
        }
    }
    (flows, totals, related)
}

/// The kit's accepted entries, as the model admits them.
fn entry_ctxs(k: &Kit) -> Vec<EntryCtx<'_>> {
    k.log
        .iter()
        .map(|(seq, at, sub)| EntryCtx {
            seq: *seq,
            recorded_at: *at,
            submission: sub,
        })
        .collect()
}

/// The views a writer keeps as the log grows — summary deltas at every cut, and each entry's
/// records applied to the rows of the entries before it, as the store applies them — equal
/// the views of a from-scratch replay.
fn check_deltas(k: &Kit, cuts: &[usize]) -> Result<(), TestCaseError> {
    let entries = entry_ctxs(k);
    let mut state = MoneyState::default();
    let mut summary = state.summary_rows();
    let mut records = BTreeMap::new();
    let mut cut = 0;
    for (i, ctx) in entries.iter().enumerate() {
        state
            .admit(ctx, &entries[..i])
            .expect("accepted entries replay")
            .apply_to(&mut records);
        if cuts.contains(&(i % 4)) || i + 1 == entries.len() {
            let fresh = state.summary_rows();
            ViewDelta::between(&summary, fresh.clone()).apply(&mut summary);
            prop_assert_eq!(&summary, &fresh, "delta after entry {}", ctx.seq);
            let (replayed, all) =
                MoneyState::replay(entries[..=i].iter().copied()).expect("accepted entries replay");
            let mut from_scratch = BTreeMap::new();
            all.apply_to(&mut from_scratch);
            prop_assert_eq!(&records, &from_scratch, "records after entry {}", ctx.seq);
            prop_assert_eq!(replayed.summary_rows(), fresh);
            cut += 1;
        }
    }
    prop_assert!(cut > 0);
    Ok(())
}

/// The state encoded as the start snapshot encodes it (CBOR, [`crate::replay::snapshot`]).
fn cbor(state: &MoneyState) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(state, &mut out).expect("the state encodes");
    out
}

/// A state encoded after `cut` entries and decoded again decides the rest of the log exactly as
/// the state it was encoded from: the same records for each entry, the same refusal for a
/// variant of each money entry that draws far more than any fund holds, the same views, and
/// the same bytes at the end.
fn check_snapshot_cut(k: &Kit, cut: usize) -> Result<(), TestCaseError> {
    let entries = entry_ctxs(k);
    let cut = cut % (entries.len() + 1);
    let mut original = MoneyState::default();
    for (i, ctx) in entries[..cut].iter().enumerate() {
        original
            .admit(ctx, &entries[..i])
            .expect("accepted entries replay");
    }
    let bytes = cbor(&original);
    let mut restored: MoneyState =
        ciborium::from_reader(bytes.as_slice()).expect("the snapshot decodes");
    prop_assert_eq!(cbor(&restored), bytes, "re-encoded after {} entries", cut);
    for (i, ctx) in entries.iter().enumerate().skip(cut) {
        if ctx.submission.body.get("amount").is_some() && ctx.submission.kind != Kind::Correction {
            let mut greedy = ctx.submission.clone();
            greedy.body["amount"] = json!("99999999.00");
            let greedy = EntryCtx {
                submission: &greedy,
                ..*ctx
            };
            if ctx.submission.kind != Kind::Donation {
                let a = original
                    .clone()
                    .admit(&greedy, &entries[..i])
                    .map_err(|e| e.to_string());
                let b = restored
                    .clone()
                    .admit(&greedy, &entries[..i])
                    .map_err(|e| e.to_string());
                prop_assert!(
                    a.is_err(),
                    "entry {} drawing 99999999.00 was accepted",
                    ctx.seq
                );
                prop_assert_eq!(a, b, "entry {} drawing 99999999.00", ctx.seq);
            }
        }
        let a = original
            .admit(ctx, &entries[..i])
            .expect("accepted entries replay");
        let b = restored
            .admit(ctx, &entries[..i])
            .expect("accepted entries replay");
        prop_assert_eq!(a, b, "records of entry {}", ctx.seq);
    }
    prop_assert_eq!(original.summary_rows(), restored.summary_rows());
    prop_assert_eq!(cbor(&original), cbor(&restored));
    Ok(())
}

/// Every correction of the log (corrections of corrections among them), rebuilt from the
/// state at each earlier size its rebuild may start from (encoded and decoded, as a snapshot
/// keeps it) ([`crate::money::corrections::Rebuild::can_start_at`]), gives the same state and
/// the same record rows as the rebuild from entry 0 — its records are exactly those the full
/// rebuild emits for the entries from that size on — and a start it may not take is refused.
/// Answers how many rebuilds started from a later size.
fn check_rebuild_bases(k: &Kit) -> Result<usize, TestCaseError> {
    let entries = entry_ctxs(k);
    let mut states = vec![MoneyState::default()];
    let mut rows = vec![BTreeMap::new()];
    let mut based = 0;
    for (i, ctx) in entries.iter().enumerate() {
        let before = states[i].clone();
        let mut after = before.clone();
        let records = after
            .admit(ctx, &entries[..i])
            .expect("accepted entries replay");
        let mut stored = rows[i].clone();
        records.clone().apply_to(&mut stored);
        if ctx.submission.kind == Kind::Correction {
            let target = ctx.submission.body["target"].as_u64().expect("a target");
            for b in 1..=i {
                let body =
                    crate::money::bodies::parse_body(ctx.submission.kind, &ctx.submission.body)
                        .expect("the correction reads");
                let mut rebuild = before.begin_correction(ctx, body).expect("it begins");
                let may = rebuild.can_start_at(entries[b].seq);
                prop_assert!(
                    !may || entries[b].seq <= target,
                    "start {b} above target {target}"
                );
                if !may {
                    prop_assert!(
                        rebuild
                            .start_at(entries[b].seq, states[b].books.clone())
                            .is_err()
                    );
                    continue;
                }
                based += 1;
                // The books as a start snapshot holds them: encoded and decoded again.
                let kept: MoneyState = ciborium::from_reader(cbor(&states[b]).as_slice())
                    .expect("the snapshot decodes");
                rebuild
                    .start_at(entries[b].seq, kept.books)
                    .expect("it may start there");
                rebuild.feed_all(&entries[b..i]).expect("the rest feeds");
                let (state, from_b) = rebuild.finish().expect("it finishes as the full one did");
                prop_assert_eq!(
                    cbor(&state),
                    cbor(&after),
                    "state from {} at {}",
                    b,
                    ctx.seq
                );
                prop_assert_eq!(from_b.reset_from, Some(entries[b].seq));
                let tail: Vec<_> = records
                    .rows
                    .iter()
                    .filter(|r| r.seq() >= entries[b].seq)
                    .cloned()
                    .collect();
                prop_assert_eq!(&from_b.rows, &tail, "records from {} at {}", b, ctx.seq);
                let mut from_rows = rows[i].clone();
                from_b.apply_to(&mut from_rows);
                prop_assert_eq!(&from_rows, &stored, "rows from {} at {}", b, ctx.seq);
            }
        }
        states.push(after);
        rows.push(stored);
    }
    Ok(based)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_correction_rebuilt_from_a_later_state_equals_its_rebuild_from_the_start(
        ops in proptest::collection::vec(op(), 1..45),
    ) {
        let based = check_rebuild_bases(&run(&ops))?;
        if std::env::var("PROP_STATS").is_ok() {
            eprintln!("rebuilds from a later state: {based}");
        }
    }

    #[test]
    fn view_deltas_rebuild_exactly_the_full_views(
        ops in proptest::collection::vec(op(), 1..45),
        cuts in proptest::collection::vec(0usize..4, 1..4),
    ) {
        check_deltas(&run(&ops), &cuts)?;
    }

    #[test]
    fn a_decoded_snapshot_decides_the_rest_of_the_log_as_the_original(
        ops in proptest::collection::vec(op(), 1..45),
        cut in any::<usize>(),
    ) {
        check_snapshot_cut(&run(&ops), cut)?;
    }

    #[test]
    fn random_logs_balance_and_replay_identically(ops in proptest::collection::vec(op(), 1..45)) {
        let k = run(&ops);
        if std::env::var("PROP_STATS").is_ok() {
            let n = |kind: Kind| k.log.iter().filter(|(_, _, s)| s.kind == kind).count();
            let corrections: Vec<u64> = k.log.iter().filter(|(_, _, s)| s.kind == Kind::Correction).map(|(seq, _, _)| *seq).collect();
            let of_corrections = k.log.iter().filter(|(_, _, s)| s.kind == Kind::Correction && s.body["target"].as_u64().is_some_and(|t| corrections.contains(&t))).count();
            eprintln!("ops {} accepted {} corrections {} of corrections {of_corrections} disb {} grants {}", ops.len(), k.log.len(), n(Kind::Correction), n(Kind::Disbursement), n(Kind::GrantTransfer));
        }
        check(&k)?;
    }
}
