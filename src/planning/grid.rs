//! Sweep grids: axes (`KEY=V1,V2,...`, as `sweep --set` writes them)
//! turned into the cartesian product of overrides, one scenario variant per
//! grid point.

/// One axis of a sweep: a scenario key and the values it takes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Axis {
    /// Dotted scenario key, e.g. `kinds.agentic.overage_price`.
    pub key: String,
    /// Values, as TOML value text.
    pub values: Vec<String>,
}

/// Parses `KEY=V1,V2,...`. Commas inside brackets, braces or quotes belong
/// to a value (an array or table value stays whole).
pub fn parse_axis(s: &str) -> Result<Axis, String> {
    let (key, values) = s
        .split_once('=')
        .ok_or_else(|| format!("'{s}': expected KEY=V1,V2,..."))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("'{s}': the key is empty"));
    }
    let values = split_top_level(values)?;
    if values.iter().any(|v| v.is_empty()) {
        return Err(format!("'{s}': an empty value"));
    }
    Ok(Axis {
        key: key.to_string(),
        values,
    })
}

fn split_top_level(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        if depth < 0 {
            return Err(format!("'{s}': unbalanced brackets"));
        }
        cur.push(c);
    }
    if depth != 0 || quote.is_some() {
        return Err(format!("'{s}': unbalanced brackets or quotes"));
    }
    out.push(cur.trim().to_string());
    Ok(out)
}

/// Every combination of the axes' values, the first axis varying slowest.
/// Each point is a list of `(key, value)` overrides.
pub fn cartesian(axes: &[Axis]) -> Vec<Vec<(String, String)>> {
    let mut points: Vec<Vec<(String, String)>> = vec![vec![]];
    for axis in axes {
        let mut next = Vec::with_capacity(points.len() * axis.values.len());
        for p in &points {
            for v in &axis.values {
                let mut q = p.clone();
                q.push((axis.key.clone(), v.clone()));
                next.push(q);
            }
        }
        points = next;
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_axes_with_nested_values() {
        let a = parse_axis("usage_multiplier=1,1.3, 1.6").unwrap();
        assert_eq!(a.key, "usage_multiplier");
        assert_eq!(a.values, vec!["1", "1.3", "1.6"]);
        let b =
            parse_axis("kinds.a.flows.f.arrivals.poisson.weekdays=[1,1,1,1,1,0,0],[1,1,1,1,1,1,1]")
                .unwrap();
        assert_eq!(b.values, vec!["[1,1,1,1,1,0,0]", "[1,1,1,1,1,1,1]"]);
        let c = parse_axis(r#"x="a,b",c"#).unwrap();
        assert_eq!(c.values, vec![r#""a,b""#, "c"]);
        assert!(parse_axis("novalue").is_err());
        assert!(parse_axis("k=1,,2").is_err());
        assert!(parse_axis("k=[1,2").is_err());
        assert!(parse_axis("=1").is_err());
    }

    #[test]
    fn grid_is_the_cartesian_product_in_order() {
        let axes = [parse_axis("a=1,2").unwrap(), parse_axis("b=x,y,z").unwrap()];
        let g = cartesian(&axes);
        assert_eq!(g.len(), 6);
        assert_eq!(
            g[0],
            vec![("a".into(), "1".into()), ("b".into(), "x".into())]
        );
        assert_eq!(
            g[5],
            vec![("a".into(), "2".into()), ("b".into(), "z".into())]
        );
        assert_eq!(cartesian(&[]), vec![Vec::<(String, String)>::new()]);
    }
}
