//! Overrides (`--set KEY=VALUE`): a dotted key path into the TOML document,
//! array-of-tables elements picked by their `name` (or by 0-based index),
//! and a value read as TOML (a bare word as a string). They are applied to
//! the parsed document before it is deserialised and validated, so an
//! overridden value is checked exactly like one written in the file.
//!
//! Every value an override brings in carries the sentinel span
//! `OVERRIDE_BASE + k` (override number k), so that an error in it names the
//! override instead of a line of the file.

use super::error::OVERRIDE_BASE;
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Splits `KEY=VALUE` (as typed after `--set`) at the first `=`.
pub fn split_override(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!(
            "--set expects KEY=VALUE (e.g. calendar.months=3), got '{s}'"
        )),
    }
}

/// Reads an override's value: TOML when it parses as a TOML value, else
/// (a bare word such as `gpt-5-mini` or `off`) the text as a string.
fn parse_value(text: &str) -> Result<DeValue<'_>, String> {
    match DeValue::parse(text) {
        Ok(v) => Ok(v.into_inner()),
        Err(e) => {
            // Something that was meant to be TOML structure or a quoted
            // string is an error, not a string.
            if text.starts_with(['{', '[', '"', '\'']) {
                Err(format!(
                    "value '{text}' is not valid TOML: {}",
                    crate::files::one_line(e.message())
                ))
            } else {
                Ok(DeValue::String(text.into()))
            }
        }
    }
}

/// Gives `v` and everything inside it the span `span`.
fn respan<'i>(v: DeValue<'i>, span: &Range<usize>) -> Spanned<DeValue<'i>> {
    let inner = match v {
        DeValue::Table(t) => {
            let mut n = DeTable::new();
            for (k, v) in t {
                n.insert(
                    Spanned::new(span.clone(), k.into_inner()),
                    respan(v.into_inner(), span),
                );
            }
            DeValue::Table(n)
        }
        DeValue::Array(mut a) => {
            for x in a.iter_mut() {
                let old = std::mem::replace(x, Spanned::new(0..0, DeValue::Boolean(false)));
                *x = respan(old.into_inner(), span);
            }
            DeValue::Array(a)
        }
        other => other,
    };
    Spanned::new(span.clone(), inner)
}

/// The name of an array-of-tables element, if it has one.
fn element_name<'a>(v: &'a DeValue<'_>) -> Option<&'a str> {
    v.as_table()?.get("name")?.get_ref().as_str()
}

/// Applies override number `k` (`key` = `value`) to the document `root`.
/// Returns the problem (to be reported against the override) on failure.
pub(crate) fn apply<'i>(
    root: &mut DeTable<'i>,
    k: usize,
    key: &'i str,
    value: &'i str,
) -> Result<(), String> {
    let span = (OVERRIDE_BASE + k)..(OVERRIDE_BASE + k);
    let segments: Vec<&str> = key.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "'{key}' is not a dotted key path (e.g. kinds.agentic.teams)"
        ));
    }
    let new = respan(parse_value(value)?, &span);
    set_in_table(root, &segments, "", new, &span)
}

fn set_in_table<'i>(
    t: &mut DeTable<'i>,
    segs: &[&str],
    walked: &str,
    new: Spanned<DeValue<'i>>,
    span: &Range<usize>,
) -> Result<(), String> {
    let seg = segs[0];
    let here = join(walked, seg);
    if segs.len() == 1 {
        t.insert(Spanned::new(span.clone(), seg.to_string().into()), new);
        return Ok(());
    }
    if !t.contains_key(seg) {
        // A missing table: create it. If the key is not one the format
        // has, deserialisation rejects it, naming it.
        t.insert(
            Spanned::new(span.clone(), seg.to_string().into()),
            Spanned::new(span.clone(), DeValue::Table(DeTable::new())),
        );
    }
    let child = t.get_mut(seg).ok_or("internal: inserted key missing")?;
    set_in_value(child.get_mut(), &segs[1..], &here, new, span)
}

fn set_in_value<'i>(
    v: &mut DeValue<'i>,
    segs: &[&str],
    walked: &str,
    new: Spanned<DeValue<'i>>,
    span: &Range<usize>,
) -> Result<(), String> {
    match v {
        DeValue::Table(t) => set_in_table(t, segs, walked, new, span),
        DeValue::Array(a) => {
            let seg = segs[0];
            let items: &mut [Spanned<DeValue<'i>>] = a.as_mut();
            let pos = items
                .iter()
                .position(|e| element_name(e.get_ref()) == Some(seg))
                .or_else(|| seg.parse::<usize>().ok().filter(|&i| i < items.len()));
            let Some(i) = pos else {
                let names: Vec<&str> = items
                    .iter()
                    .filter_map(|e| element_name(e.get_ref()))
                    .collect();
                return Err(if names.is_empty() {
                    format!(
                        "{walked} has no element {seg} (it has {} elements)",
                        items.len()
                    )
                } else {
                    format!(
                        "{walked} has no element named '{seg}' (names: {})",
                        names.join(", ")
                    )
                });
            };
            if segs.len() == 1 {
                items[i] = new;
                Ok(())
            } else {
                let here = join(walked, seg);
                set_in_value(items[i].get_mut(), &segs[1..], &here, new, span)
            }
        }
        other => Err(format!(
            "{walked} is not a table but a value ({})",
            other.type_str()
        )),
    }
}

fn join(walked: &str, seg: &str) -> String {
    if walked.is_empty() {
        seg.to_string()
    } else {
        format!("{walked}.{seg}")
    }
}

/// The dotted key path (array elements by name) of the deepest key or value
/// whose span contains `at`: names the key of a deserialisation error.
pub(crate) fn path_at(root: &DeTable<'_>, at: &Range<usize>) -> Option<String> {
    fn contains(span: &Range<usize>, at: &Range<usize>) -> bool {
        span.start <= at.start && at.start < span.end.max(span.start + 1)
    }
    fn in_value(v: &Spanned<DeValue<'_>>, at: &Range<usize>, path: &mut Vec<String>) -> bool {
        match v.get_ref() {
            DeValue::Table(t) => in_table(t, at, path) || contains(&v.span(), at),
            DeValue::Array(a) => {
                for (i, e) in a.iter().enumerate() {
                    let label = element_name(e.get_ref())
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string());
                    path.push(label);
                    if in_value(e, at, path) {
                        return true;
                    }
                    path.pop();
                }
                contains(&v.span(), at)
            }
            _ => contains(&v.span(), at),
        }
    }
    fn in_table(t: &DeTable<'_>, at: &Range<usize>, path: &mut Vec<String>) -> bool {
        for (k, v) in t.iter() {
            path.push(k.get_ref().to_string());
            if contains(&k.span(), at) || in_value(v, at, path) {
                return true;
            }
            path.pop();
        }
        false
    }
    let mut path = Vec::new();
    in_table(root, at, &mut path).then(|| path.join("."))
}

/// The span of the value at dotted key path `key` (array elements by name or
/// index), if the document has it.
pub(crate) fn span_of(root: &DeTable<'_>, key: &str) -> Option<Range<usize>> {
    let mut segs = key.split('.');
    let first = segs.next()?;
    let mut cur: &Spanned<DeValue<'_>> = root.get(first)?;
    for seg in segs {
        cur = match cur.get_ref() {
            DeValue::Table(t) => t.get(seg)?,
            DeValue::Array(a) => a
                .iter()
                .find(|e| element_name(e.get_ref()) == Some(seg))
                .or_else(|| seg.parse::<usize>().ok().and_then(|i| a.get(i)))?,
            _ => return None,
        };
    }
    Some(cur.span())
}
