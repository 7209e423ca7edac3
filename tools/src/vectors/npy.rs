//! Reader for NumPy `.npy` files (format versions 1–3, little-endian, C order) of the dtypes
//! the vector format uses: complex64, float32, uint8, int16, int64 (and bool as uint8).

use ndarray::{ArrayD, IxDyn};

use super::Array;
use massive_mimo::C32;

/// Parses a `.npy` byte buffer. Errors say what is wrong (magic, header, dtype, size).
pub fn parse(bytes: &[u8]) -> Result<Array, String> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err("not a .npy file (bad magic)".into());
    }
    let major = bytes[6];
    let (hlen, hstart) = match major {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(format!("unsupported .npy format version {v}")),
    };
    let header = bytes
        .get(hstart..hstart + hlen)
        .ok_or("truncated .npy header")
        .map(|h| String::from_utf8_lossy(h).into_owned())?;
    let descr = dict_value(&header, "descr").ok_or("header has no 'descr'")?;
    let descr = descr
        .trim()
        .trim_matches(|c| c == '\'' || c == '"')
        .to_string();
    let fortran = dict_value(&header, "fortran_order").ok_or("header has no 'fortran_order'")?;
    if fortran.trim() != "False" {
        return Err("Fortran-order arrays are not supported (save with C order)".into());
    }
    let shape_text = dict_value(&header, "shape").ok_or("header has no 'shape'")?;
    let shape: Vec<usize> = shape_text
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| format!("bad shape entry `{s}`"))
        })
        .collect::<Result<_, _>>()?;
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .filter(|c| c.checked_mul(16).is_some())
        .ok_or_else(|| format!("shape {shape:?} is too large"))?;
    let data = &bytes[hstart + hlen..];
    let need = |size: usize| -> Result<&[u8], String> {
        data.get(..count * size).ok_or_else(|| {
            format!(
                "data holds {} bytes, shape {shape:?} of {descr} needs {}",
                data.len(),
                count * size
            )
        })
    };
    let dim = IxDyn(&shape);
    let arr = match descr.as_str() {
        "<c8" => {
            let d = need(8)?;
            let v = d
                .chunks_exact(8)
                .map(|c| {
                    C32::new(
                        f32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                        f32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                    )
                })
                .collect();
            Array::C64(ArrayD::from_shape_vec(dim, v).map_err(|e| e.to_string())?)
        }
        "<f4" => {
            let v = need(4)?
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            Array::F32(ArrayD::from_shape_vec(dim, v).map_err(|e| e.to_string())?)
        }
        "|u1" | "<u1" | "|b1" => {
            Array::U8(ArrayD::from_shape_vec(dim, need(1)?.to_vec()).map_err(|e| e.to_string())?)
        }
        "<i8" => {
            let v = need(8)?
                .chunks_exact(8)
                .map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect();
            Array::I64(ArrayD::from_shape_vec(dim, v).map_err(|e| e.to_string())?)
        }
        "<i2" => {
            let v = need(2)?
                .chunks_exact(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]))
                .collect();
            Array::I16(ArrayD::from_shape_vec(dim, v).map_err(|e| e.to_string())?)
        }
        other => {
            return Err(format!(
                "unsupported dtype `{other}` (expected <c8, <f4, |u1, <i2 or <i8)"
            ));
        }
    };
    Ok(arr)
}

/// The raw text of `'key': value` in a Python dict literal (value up to the next top-level
/// comma or closing brace).
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let k = header.find(&format!("'{key}'"))?;
    let rest = &header[k + key.len() + 2..];
    let rest = &rest[rest.find(':')? + 1..];
    let mut depth = 0i32;
    for (i, ch) in rest.char_indices() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' | '}' if depth == 0 => return Some(&rest[..i]),
            _ => {}
        }
    }
    None
}

/// Serialises an array as `.npy` version 1.0 (used by tests and by users exporting results).
pub fn to_bytes(a: &Array) -> Vec<u8> {
    let (descr, mut data): (&str, Vec<u8>) = match a {
        Array::C64(x) => (
            "<c8",
            x.iter()
                .flat_map(|c| [c.re.to_le_bytes(), c.im.to_le_bytes()].concat())
                .collect(),
        ),
        Array::F32(x) => ("<f4", x.iter().flat_map(|v| v.to_le_bytes()).collect()),
        Array::U8(x) => ("|u1", x.iter().copied().collect()),
        Array::I64(x) => ("<i8", x.iter().flat_map(|v| v.to_le_bytes()).collect()),
        Array::I16(x) => ("<i2", x.iter().flat_map(|v| v.to_le_bytes()).collect()),
    };
    let shape = a.shape();
    let shape_txt = match shape.len() {
        1 => format!("({},)", shape[0]),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_txt}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.append(&mut data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_dtype() {
        let arrays = [
            Array::C64(
                ArrayD::from_shape_vec(
                    IxDyn(&[2, 3]),
                    (0..6).map(|i| C32::new(i as f32, -(i as f32))).collect(),
                )
                .unwrap(),
            ),
            Array::F32(ArrayD::from_shape_vec(IxDyn(&[4]), vec![1.5, -2.0, 0.0, 3.25]).unwrap()),
            Array::U8(ArrayD::from_shape_vec(IxDyn(&[3]), vec![0, 1, 1]).unwrap()),
            Array::I64(ArrayD::from_shape_vec(IxDyn(&[1]), vec![-123_456_789_012]).unwrap()),
            Array::I16(ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![-32768, 32767, 0, -1]).unwrap()),
        ];
        for a in arrays {
            assert_eq!(parse(&to_bytes(&a)).unwrap(), a);
        }
    }

    #[test]
    fn bad_files_are_described() {
        assert!(parse(b"hello").unwrap_err().contains("magic"));
        let mut b = to_bytes(&Array::F32(
            ArrayD::from_shape_vec(IxDyn(&[4]), vec![0.0; 4]).unwrap(),
        ));
        b.truncate(b.len() - 3);
        assert!(parse(&b).unwrap_err().contains("needs 16"));
        let mut b = to_bytes(&Array::U8(
            ArrayD::from_shape_vec(IxDyn(&[1]), vec![0]).unwrap(),
        ));
        let at = b.windows(3).position(|w| w == b"|u1").unwrap();
        b[at..at + 3].copy_from_slice(b"<f8");
        assert!(parse(&b).unwrap_err().contains("unsupported dtype `<f8`"));
    }
}

#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Arbitrary bytes, and valid files with random corruption, give Ok or Err — never a panic.
        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300), flips in proptest::collection::vec((0usize..200, any::<u8>()), 0..8)) {
            let _ = parse(&bytes);
            let mut good = to_bytes(&Array::C64(ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![C32::new(1.0, 2.0); 6]).unwrap()));
            for (at, v) in flips {
                if at < good.len() {
                    good[at] = v;
                }
            }
            let _ = parse(&good);
        }
    }
}
