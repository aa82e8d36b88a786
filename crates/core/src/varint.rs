//! Unsigned LEB128 numbers: seven bits a byte, the high bit set on every
//! byte but the last. What the index packs into bytes (line lengths, a
//! cached summary's links) is written and read with these.

/// Appends `number`: one byte below 128, at most five.
pub(crate) fn push(out: &mut Vec<u8>, mut number: u32) {
    while number >= 0x80 {
        out.push((number as u8) | 0x80);
        number >>= 7;
    }
    out.push(number as u8);
}

/// The number at `*at` in `bytes`, moving `at` past it; `None` for bytes
/// [`push`] never writes (cut short, or past `u32::MAX`), which a cache's
/// may be.
#[inline]
pub(crate) fn read(bytes: &[u8], at: &mut usize) -> Option<u32> {
    // Most numbers packed (line lengths, flags, short lengths) take one byte.
    let byte = *bytes.get(*at)?;
    *at += 1;
    if byte < 0x80 { Some(u32::from(byte)) } else { read_long(bytes, at, byte) }
}

/// The rest of a number whose first byte, `first`, was read.
fn read_long(bytes: &[u8], at: &mut usize, first: u8) -> Option<u32> {
    let mut number = u32::from(first & 0x7f);
    for shift in [7, 14, 21, 28] {
        let byte = *bytes.get(*at)?;
        *at += 1;
        let bits = u32::from(byte & 0x7f);
        // The fifth byte may hold only the top four bits, and is the last.
        if shift == 28 && (bits > 0x0f || byte >= 0x80) {
            return None;
        }
        number |= bits << shift;
        if byte < 0x80 {
            return Some(number);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_whole_and_overlong_ones_are_refused() {
        for number in [0, 1, 127, 128, 16_383, 16_384, u32::MAX - 1, u32::MAX] {
            let mut out = Vec::new();
            push(&mut out, number);
            let mut at = 0;
            assert_eq!(read(&out, &mut at), Some(number));
            assert_eq!(at, out.len());
        }
        assert_eq!(read(&[0xff, 0xff, 0xff, 0xff, 0x1f], &mut 0), None);
        assert_eq!(read(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], &mut 0), None);
        assert_eq!(read(&[0x80, 0x80], &mut 0), None);
        assert_eq!(read(&[], &mut 0), None);
    }
}
