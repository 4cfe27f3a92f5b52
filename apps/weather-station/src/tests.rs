use super::*;
use display_graphics::{Area, GraphicsDisplay, PanelInfo, PixelFormat, PixelSink};

fn reading(t: f64) -> Reading {
    Reading {
        temperature_celsius: Some(t),
        pressure_pa: Some(101_325.0),
        humidity_percent: Some(45.0),
        gas_resistance_ohm: Some(120_000.0),
    }
}

#[test]
fn the_trend_keeps_the_last_samples() {
    let mut trend = Trend::new(3);
    assert_eq!(trend.range(), None);
    for v in [1.0, 5.0, 2.0, 3.0] {
        trend.push(v);
    }
    assert_eq!(trend.values().collect::<Vec<_>>(), vec![5.0, 2.0, 3.0]);
    assert_eq!(trend.range(), Some((2.0, 5.0)));
}

#[test]
fn trend_points_span_the_graph_bottom_to_top() {
    let area = Rectangle::new(Point::new(10, 5), Size::new(4, 11));
    let mut trend = Trend::new(4);
    assert!(trend.points(area).is_empty());
    for v in [20.0, 21.0, 22.0] {
        trend.push(v);
    }
    // Three samples end at the right edge; lowest at the bottom row, highest at the top row.
    assert_eq!(
        trend.points(area),
        vec![Point::new(11, 15), Point::new(12, 10), Point::new(13, 5)]
    );
    // More samples than columns: the oldest scroll out.
    trend.push(23.0);
    trend.push(22.0);
    let points = trend.points(area);
    assert_eq!(points.len(), 4);
    assert_eq!(points[0], Point::new(10, 15)); // 21.0, the lowest of 21..23
    assert_eq!(points[2], Point::new(12, 5)); // 23.0
}

#[test]
fn a_steady_temperature_is_a_flat_line_in_the_middle() {
    let area = Rectangle::new(Point::new(0, 0), Size::new(8, 11));
    let mut trend = Trend::new(8);
    for _ in 0..8 {
        trend.push(21.5);
    }
    assert!(trend.points(area).iter().all(|p| p.y == 5));
    // A change smaller than MIN_SPAN stays small.
    trend.push(21.7);
    let ys: Vec<i32> = trend.points(area).iter().map(|p| p.y).collect();
    assert_eq!(ys.iter().min(), Some(&4));
    assert_eq!(ys.iter().max(), Some(&6));
}

#[test]
fn the_screen_adapts_to_the_display() {
    let small = Screen::new(Size::new(128, 32));
    assert_eq!(
        small.graph_area(),
        Rectangle::new(Point::new(65, 1), Size::new(62, 30))
    );
    assert_eq!(small.trend.capacity, 62);
    let tall = Screen::new(Size::new(128, 64));
    assert_eq!(
        tall.graph_area(),
        Rectangle::new(Point::new(1, 35), Size::new(126, 28))
    );
}

#[test]
fn readings_are_shown_with_units_and_absent_ones_as_dashes() {
    let mut screen = Screen::new(Size::new(128, 64));
    assert_eq!(screen.lines(), vec!["measuring...".to_string()]);
    screen.record(reading(21.46));
    assert_eq!(
        screen.lines(),
        vec!["T 21.5C", "P 1013.2hPa", "H 45.0%", "G 120.0k"]
    );
    screen.record(Reading {
        gas_resistance_ohm: None,
        ..reading(-3.0)
    });
    assert_eq!(screen.lines()[0], "T -3.0C");
    assert_eq!(screen.lines()[3], "G --");
    assert_eq!(screen.trend.values().collect::<Vec<_>>(), vec![21.46, -3.0]);
    // The narrow layout rounds the pressure to fit 16 columns of 4 pixels.
    let mut small = Screen::new(Size::new(128, 32));
    small.record(reading(21.0));
    assert_eq!(small.lines()[1], "P 1013hPa");
    assert!(small.lines().iter().all(|l| l.len() <= 16));
}

#[test]
fn a_sensor_error_is_shown_and_keeps_the_trend() {
    let mut screen = Screen::new(Size::new(128, 32));
    screen.record(reading(20.0));
    screen.record_error("timeout");
    assert_eq!(screen.lines(), vec!["sensor error", "timeout", "retrying"]);
    assert_eq!(screen.trend.values().count(), 1);
    // A reading without temperature does not add to the trend.
    screen.record(Reading::default());
    assert_eq!(screen.trend.values().count(), 1);
}

struct Recorder(Vec<Area>);

impl PixelSink for Recorder {
    type Error = ();
    fn info(&self) -> PanelInfo {
        PanelInfo {
            width: 128,
            height: 32,
            format: PixelFormat::Mono1,
        }
    }
    fn present_region(&mut self, area: Area, _: &[u8]) -> Result<(), ()> {
        self.0.push(area);
        Ok(())
    }
}

#[test]
fn the_screen_draws_text_frame_and_graph() {
    let mut display = GraphicsDisplay::<_, BinaryColor>::new(Recorder(Vec::new())).unwrap();
    let mut screen = Screen::new(Size::new(128, 32));
    for i in 0..10 {
        screen.record(reading(20.0 + f64::from(i) / 5.0));
    }
    let Ok(()) = screen.draw(&mut display);
    let lit = |x, y| display.pixel(x, y) == Some(BinaryColor::On);
    // Text at the left, the graph's frame at the right, the newest sample at the top right.
    assert!((0..60).any(|x| (0..6).any(|y| lit(x, y))));
    assert!(lit(64, 0) && lit(127, 31) && lit(64, 31));
    assert!(lit(126, 1));
    assert!(lit(117, 30));
    assert!(!lit(100, 15));
    display.flush().unwrap();
    // One more sample: one call for the changed part only.
    screen.record(reading(20.5));
    let Ok(()) = screen.draw(&mut display);
    let area = display.flush().unwrap().unwrap();
    assert_eq!(display.panel().0.len(), 2);
    assert!(area.width < 128);
}
