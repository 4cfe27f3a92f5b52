//! PNG screenshots: exact round trips, deterministic bytes, scaling, atomic saves.

mod common;

use common::{entries, fresh_dir};
use std::path::Path;
use wasi_hal_sim::Frame;
use wasi_hal_sim_render::{
    decode_png, encode_png, load_png, save_png, save_png_scaled, scale_nearest,
};

/// A 5x3 frame in which every pixel has a different colour.
fn test_frame() -> Frame {
    let mut frame = Frame::black(5, 3);
    for y in 0..3 {
        for x in 0..5 {
            frame.set_pixel(x, y, [x as u8 * 50, y as u8 * 100, 255 - (x + y) as u8]);
        }
    }
    frame
}

#[test]
fn png_round_trip_is_exact() {
    let frame = test_frame();
    let bytes = encode_png(&frame).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(decode_png(&bytes).unwrap(), frame);
}

#[test]
fn png_bytes_are_deterministic() {
    let frame = test_frame();
    let first = encode_png(&frame).unwrap();
    let second = encode_png(&frame.clone()).unwrap();
    assert_eq!(first, second);
    // Decoding and encoding again gives the very same file.
    assert_eq!(encode_png(&decode_png(&first).unwrap()).unwrap(), first);
    // And a different frame gives different bytes.
    let mut other = frame.clone();
    other.set_pixel(4, 2, [1, 2, 3]);
    assert_ne!(encode_png(&other).unwrap(), first);
}

#[test]
fn save_png_writes_the_encoded_bytes_and_replaces_an_old_file() {
    let dir = fresh_dir("save_png_replaces");
    let path = dir.join("shot.png");
    std::fs::write(&path, b"an older screenshot").unwrap();
    let frame = test_frame();
    save_png(&frame, &path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), encode_png(&frame).unwrap());
    assert_eq!(load_png(&path).unwrap(), frame);
    // No temporary file is left next to it.
    assert_eq!(entries(&dir), ["shot.png"]);
}

#[test]
fn scaled_png_has_scaled_size_and_square_pixels() {
    let dir = fresh_dir("scaled_png");
    let path = dir.join("big.png");
    let frame = test_frame();
    save_png_scaled(&frame, 3, &path).unwrap();
    let big = load_png(&path).unwrap();
    assert_eq!((big.width, big.height), (15, 9));
    for y in 0..9 {
        for x in 0..15 {
            assert_eq!(
                big.pixel(x, y),
                frame.pixel(x / 3, y / 3),
                "pixel ({x}, {y})"
            );
        }
    }
    // Scale 1 is the frame itself.
    assert_eq!(scale_nearest(&frame, 1).unwrap(), frame);
}

#[test]
fn scale_zero_is_an_error_and_writes_nothing() {
    let dir = fresh_dir("scale_zero");
    let path = dir.join("zero.png");
    let err = save_png_scaled(&test_frame(), 0, &path).unwrap_err();
    let message = format!("{err:#}");
    assert!(message.contains("scale factor is 0"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(entries(&dir).is_empty());
}

#[test]
fn malformed_frames_are_errors() {
    let short = Frame {
        width: 4,
        height: 2,
        rgb: vec![0; 23],
    };
    let message = format!("{:#}", encode_png(&short).unwrap_err());
    assert!(
        message.contains("4x2") && message.contains("24") && message.contains("23"),
        "{message}"
    );

    let empty = Frame::black(0, 3);
    let message = format!("{:#}", encode_png(&empty).unwrap_err());
    assert!(message.contains("0x3"), "{message}");
}

#[test]
fn decode_accepts_grey_and_rgba_pngs() {
    let mut grey = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut grey, 2, 1);
        encoder.set_color(png::ColorType::Grayscale);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[0, 200]).unwrap();
    }
    let frame = decode_png(&grey).unwrap();
    assert_eq!(
        frame,
        Frame {
            width: 2,
            height: 1,
            rgb: vec![0, 0, 0, 200, 200, 200]
        }
    );

    let mut rgba = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut rgba, 1, 1);
        encoder.set_color(png::ColorType::Rgba);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(&[10, 20, 30, 40]).unwrap();
    }
    assert_eq!(decode_png(&rgba).unwrap().rgb, [10, 20, 30]);
}

#[test]
fn bad_png_input_is_an_error_naming_the_file() {
    assert!(decode_png(b"not a png").is_err());

    let dir = fresh_dir("bad_png_input");
    let path = dir.join("junk.png");
    std::fs::write(&path, b"not a png").unwrap();
    let message = format!("{:#}", load_png(&path).unwrap_err());
    assert!(message.contains(&path.display().to_string()), "{message}");

    let missing = dir.join("missing.png");
    let message = format!("{:#}", load_png(&missing).unwrap_err());
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
}

#[test]
fn failed_save_into_missing_directory_leaves_nothing_and_names_the_path() {
    let dir = fresh_dir("save_png_missing_dir");
    let path = dir.join("no-such-dir").join("shot.png");
    let message = format!("{:#}", save_png(&test_frame(), &path).unwrap_err());
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(!path.exists());
    assert!(entries(&dir).is_empty());
}

#[test]
fn failed_rename_removes_the_temporary_file() {
    // The target is a directory, so everything works until the final rename.
    let dir = fresh_dir("save_png_onto_dir");
    let target = dir.join("taken");
    std::fs::create_dir(&target).unwrap();
    let message = format!("{:#}", save_png(&test_frame(), &target).unwrap_err());
    assert!(message.contains(&target.display().to_string()), "{message}");
    assert_eq!(entries(&dir), ["taken"]);
    assert!(entries(&target).is_empty());
}

#[test]
fn save_to_an_empty_path_is_an_error() {
    let message = format!("{:#}", save_png(&test_frame(), Path::new("")).unwrap_err());
    assert!(message.contains("file name"), "{message}");
}
