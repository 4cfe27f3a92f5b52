//! Recordings: dedupe, the frame cap, and animated GIF / APNG checked by decoding them with the
//! `gif` and `png` crates.

mod common;

use common::{entries, fresh_dir};
use std::io::Cursor;
use wasi_hal_sim::Frame;
use wasi_hal_sim_render::{Pushed, Recording};

const MS: u64 = 1_000_000;

/// A 4x3 frame filled with one colour, with one pixel of another so frames differ in shape too.
fn frame(fill: [u8; 3], dot: (u32, u32)) -> Frame {
    let mut frame = Frame::black(4, 3);
    for y in 0..3 {
        for x in 0..4 {
            frame.set_pixel(x, y, fill);
        }
    }
    frame.set_pixel(dot.0, dot.1, [255, 255, 255]);
    frame
}

fn a() -> Frame {
    frame([0, 0, 0], (0, 0))
}
fn b() -> Frame {
    frame([10, 200, 30], (3, 2))
}
fn c() -> Frame {
    frame([0, 0, 128], (1, 1))
}

/// A, B 3 ms later, C at 40 ms, shown until 1.04 s (by an unchanged push).
fn three_frames() -> Recording {
    let mut rec = Recording::new();
    assert_eq!(rec.push(0, &a()).unwrap(), Pushed::Added);
    assert_eq!(rec.push(3 * MS, &b()).unwrap(), Pushed::Added);
    assert_eq!(rec.push(40 * MS, &c()).unwrap(), Pushed::Added);
    assert_eq!(rec.push(1040 * MS, &c()).unwrap(), Pushed::Unchanged);
    rec
}

/// Every frame of a GIF as (delay in cs, RGB pixels), and whether it loops forever.
fn decode_gif(bytes: &[u8]) -> (Vec<(u16, Frame)>, bool) {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(bytes).unwrap();
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    let mut frames = Vec::new();
    while let Some(f) = decoder.read_next_frame().unwrap() {
        assert_eq!((f.left, f.top), (0, 0));
        assert_eq!((u32::from(f.width), u32::from(f.height)), (width, height));
        let rgb = f
            .buffer
            .chunks_exact(4)
            .flat_map(|p| {
                assert_eq!(p[3], 255, "no pixel is transparent");
                [p[0], p[1], p[2]]
            })
            .collect();
        frames.push((f.delay, Frame { width, height, rgb }));
    }
    (frames, decoder.repeat() == gif::Repeat::Infinite)
}

/// An APNG frame delay as (numerator, denominator) seconds.
type Delay = (u16, u16);

/// Every frame of an APNG as (delay, RGB pixels), and the play count.
fn decode_apng(bytes: &[u8]) -> (Vec<(Delay, Frame)>, u32) {
    let mut reader = png::Decoder::new(Cursor::new(bytes)).read_info().unwrap();
    let actl = reader.info().animation_control.expect("an animated PNG");
    let (width, height) = (reader.info().width, reader.info().height);
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let mut frames = Vec::new();
    for _ in 0..actl.num_frames {
        let out = reader.next_frame(&mut buf).unwrap();
        assert_eq!(out.color_type, png::ColorType::Rgb);
        let fctl = reader.info().frame_control.unwrap();
        assert_eq!((fctl.x_offset, fctl.y_offset), (0, 0));
        assert_eq!((fctl.width, fctl.height), (width, height));
        frames.push((
            (fctl.delay_num, fctl.delay_den),
            Frame {
                width,
                height,
                rgb: buf[..out.buffer_size()].to_vec(),
            },
        ));
    }
    (frames, actl.num_plays)
}

#[test]
fn gif_has_every_frame_with_simulated_delays_and_loops() {
    let rec = three_frames();
    // Boundaries at 0, 0.3, 4 and 104 cs round to 0, 0, 4, 104; the first frame still gets the
    // minimum of 1 cs and the next makes up for it.
    assert_eq!(rec.gif_delays_cs(), [1, 3, 100]);
    let mut bytes = Vec::new();
    rec.write_gif(&mut bytes).unwrap();
    let (frames, loops) = decode_gif(&bytes);
    assert!(loops);
    assert_eq!(frames, [(1, a()), (3, b()), (100, c())]);
}

#[test]
fn apng_has_every_frame_with_simulated_delays_in_ms_and_loops() {
    let rec = three_frames();
    let mut bytes = Vec::new();
    rec.write_apng(&mut bytes).unwrap();
    let (frames, plays) = decode_apng(&bytes);
    assert_eq!(plays, 0, "0 plays means forever");
    assert_eq!(
        frames,
        [((3, 1000), a()), ((37, 1000), b()), ((1000, 1000), c())]
    );
    // A viewer without APNG support sees the first frame.
    assert_eq!(wasi_hal_sim_render::decode_png(&bytes).unwrap(), a());
}

#[test]
fn scaled_recordings_draw_every_pixel_as_a_square() {
    let rec = three_frames();
    let big = |f: Frame| wasi_hal_sim_render::scale_nearest(&f, 3).unwrap();
    let mut bytes = Vec::new();
    rec.write_gif_scaled(&mut bytes, 3).unwrap();
    let (frames, _) = decode_gif(&bytes);
    assert_eq!(frames, [(1, big(a())), (3, big(b())), (100, big(c()))]);

    let mut bytes = Vec::new();
    rec.write_apng_scaled(&mut bytes, 3).unwrap();
    let (frames, _) = decode_apng(&bytes);
    let pictures: Vec<Frame> = frames.into_iter().map(|(_, f)| f).collect();
    assert_eq!(pictures, [big(a()), big(b()), big(c())]);

    // Scale 0 is refused before anything is written.
    let dir = fresh_dir("scaled-zero");
    let err = rec.save_scaled(&dir.join("x.gif"), 0).unwrap_err();
    assert!(format!("{err:#}").contains("scale factor is 0"), "{err:#}");
    assert!(entries(&dir).is_empty());
}

#[test]
fn save_picks_the_format_from_the_extension() {
    let dir = fresh_dir("save_by_extension");
    let rec = three_frames();
    for name in ["run.gif", "RUN.GIF", "run.png", "run.apng", "Run.APNG"] {
        let path = dir.join(name);
        rec.save(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        if name.to_lowercase().ends_with(".gif") {
            assert_eq!(decode_gif(&bytes).0.len(), 3, "{name}");
        } else {
            assert_eq!(decode_apng(&bytes).0.len(), 3, "{name}");
        }
    }
    assert_eq!(
        entries(&dir),
        ["RUN.GIF", "Run.APNG", "run.apng", "run.gif", "run.png"]
    );
    // save_gif / save_apng write exactly what write_gif / write_apng produce.
    let mut gif = Vec::new();
    rec.write_gif(&mut gif).unwrap();
    assert_eq!(std::fs::read(dir.join("run.gif")).unwrap(), gif);
    let mut apng = Vec::new();
    rec.write_apng(&mut apng).unwrap();
    assert_eq!(std::fs::read(dir.join("run.png")).unwrap(), apng);
}

#[test]
fn unknown_or_missing_extension_is_an_error_and_writes_nothing() {
    let dir = fresh_dir("bad_extension");
    let rec = three_frames();
    let path = dir.join("run.bmp");
    let message = format!("{:#}", rec.save(&path).unwrap_err());
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("`.bmp`"), "{message}");
    let bare = dir.join("run");
    let message = format!("{:#}", rec.save(&bare).unwrap_err());
    assert!(message.contains(&bare.display().to_string()), "{message}");
    assert!(message.contains("no file extension"), "{message}");
    assert!(entries(&dir).is_empty());
}

#[test]
fn identical_consecutive_frames_are_stored_once() {
    let mut rec = Recording::new();
    let pushes = [
        (0, a(), Pushed::Added),
        (10, a(), Pushed::Unchanged),
        (20, b(), Pushed::Added),
        (30, b(), Pushed::Unchanged),
        (40, a(), Pushed::Added),
    ];
    for (time, frame, outcome) in pushes {
        assert_eq!(rec.push(time, &frame).unwrap(), outcome, "push at {time}");
    }
    let stored: Vec<(u64, Frame)> = rec
        .frames()
        .iter()
        .map(|f| (f.time_ns, f.frame.clone()))
        .collect();
    assert_eq!(stored, [(0, a()), (20, b()), (40, a())]);
}

#[test]
fn a_frame_at_the_same_time_replaces_the_last_one() {
    let mut rec = Recording::new();
    rec.push(0, &a()).unwrap();
    rec.push(10 * MS, &b()).unwrap();
    assert_eq!(rec.push(10 * MS, &c()).unwrap(), Pushed::Replaced);
    assert_eq!(rec.len(), 2);
    assert_eq!(rec.frames()[1].frame, c());
    // Going back to A at the same instant means A never stopped showing.
    assert_eq!(rec.push(10 * MS, &a()).unwrap(), Pushed::Replaced);
    assert_eq!(rec.len(), 1);
    assert_eq!(rec.frames()[0].time_ns, 0);
}

#[test]
fn last_frame_is_held_until_the_end_or_for_a_second() {
    let mut rec = Recording::new();
    rec.push(5 * MS, &a()).unwrap();
    rec.push(25 * MS, &b()).unwrap();
    assert_eq!(rec.end_ns(), Some(1025 * MS));
    assert_eq!(rec.gif_delays_cs(), [2, 100]);
    rec.end_at(500 * MS).unwrap();
    assert_eq!(rec.end_ns(), Some(500 * MS));
    assert_eq!(rec.gif_delays_cs(), [2, 48]);
    assert_eq!(rec.apng_delays(), [(20, 1000), (475, 1000)]);
    assert!(rec.end_at(400 * MS).is_err());
}

#[test]
fn long_holds_are_clamped_to_what_the_formats_can_say() {
    let mut rec = Recording::new();
    rec.push(0, &a()).unwrap();
    rec.push(100_000 * MS, &b()).unwrap(); // 100 s
    rec.end_at(1_000_000 * MS).unwrap(); // then 900 s
    assert_eq!(rec.gif_delays_cs(), [10_000, u16::MAX]);
    assert_eq!(rec.apng_delays(), [(10_000, 100), (u16::MAX, 100)]);
}

#[test]
fn frame_cap_stops_the_recording_at_the_first_frame_that_does_not_fit() {
    let mut rec = Recording::with_max_frames(2);
    assert_eq!(rec.push(0, &a()).unwrap(), Pushed::Added);
    assert_eq!(rec.push(10 * MS, &b()).unwrap(), Pushed::Added);
    assert_eq!(rec.push(15 * MS, &b()).unwrap(), Pushed::Unchanged);
    assert_eq!(rec.push(20 * MS, &c()).unwrap(), Pushed::Dropped);
    assert_eq!(rec.push(30 * MS, &a()).unwrap(), Pushed::Dropped);
    assert_eq!(rec.push(40 * MS, &b()).unwrap(), Pushed::Dropped);
    rec.end_at(90 * MS).unwrap();
    assert_eq!(rec.len(), 2);
    assert_eq!(rec.dropped(), 3);
    assert_eq!(rec.truncated_at_ns(), Some(20 * MS));
    assert_eq!(rec.end_ns(), Some(20 * MS));

    let mut bytes = Vec::new();
    rec.write_gif(&mut bytes).unwrap();
    assert_eq!(decode_gif(&bytes).0, [(1, a()), (1, b())]);
}

#[test]
fn bad_pushes_are_errors_and_change_nothing() {
    let mut rec = Recording::new();
    rec.push(10, &a()).unwrap();

    let message = format!("{:#}", rec.push(5, &b()).unwrap_err());
    assert!(message.contains("earlier"), "{message}");

    let message = format!("{:#}", rec.push(20, &Frame::black(8, 3)).unwrap_err());
    assert!(
        message.contains("8x3") && message.contains("4x3"),
        "{message}"
    );

    let broken = Frame {
        width: 4,
        height: 3,
        rgb: vec![0; 5],
    };
    let message = format!("{:#}", rec.push(20, &broken).unwrap_err());
    assert!(message.contains("holds 5 bytes"), "{message}");

    assert_eq!(rec.len(), 1);
    assert_eq!(rec.frames()[0].time_ns, 10);
}

#[test]
fn saving_an_empty_recording_is_an_error_and_writes_nothing() {
    let dir = fresh_dir("empty_recording");
    let rec = Recording::new();
    for name in ["empty.gif", "empty.png"] {
        let path = dir.join(name);
        let message = format!("{:#}", rec.save(&path).unwrap_err());
        assert!(message.contains("no frames"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
    }
    assert!(entries(&dir).is_empty());
}

#[test]
fn failed_save_into_missing_directory_leaves_nothing_and_names_the_path() {
    let dir = fresh_dir("recording_missing_dir");
    let rec = three_frames();
    for name in ["run.gif", "run.apng"] {
        let path = dir.join("missing").join(name);
        let message = format!("{:#}", rec.save(&path).unwrap_err());
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(!path.exists());
    }
    assert!(entries(&dir).is_empty());
}

/// A 16x16 frame with 256 different colours, all with the given red level.
fn many_colours(red: u8) -> Frame {
    let mut frame = Frame::black(16, 16);
    for y in 0..16 {
        for x in 0..16 {
            frame.set_pixel(x, y, [red, x as u8 * 16, y as u8 * 16]);
        }
    }
    frame
}

#[test]
fn gif_is_exact_when_each_frame_has_at_most_256_colours() {
    // 512 colours in the run, 256 in each frame: each frame needs its own palette.
    let mut rec = Recording::new();
    rec.push(0, &many_colours(1)).unwrap();
    rec.push(50 * MS, &many_colours(2)).unwrap();
    rec.end_at(100 * MS).unwrap();
    let mut bytes = Vec::new();
    rec.write_gif(&mut bytes).unwrap();
    assert_eq!(
        decode_gif(&bytes).0,
        [(5, many_colours(1)), (5, many_colours(2))]
    );
}

#[test]
fn gif_of_a_frame_with_more_than_256_colours_is_still_written() {
    let mut frame = Frame::black(17, 16);
    for y in 0..16 {
        for x in 0..17 {
            frame.set_pixel(x, y, [x as u8 * 15, y as u8 * 16, 7]);
        }
    }
    let mut rec = Recording::new();
    rec.push(0, &frame).unwrap();
    let mut bytes = Vec::new();
    rec.write_gif(&mut bytes).unwrap();
    let (frames, _) = decode_gif(&bytes);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].0, 100);
    assert_eq!((frames[0].1.width, frames[0].1.height), (17, 16));
}
