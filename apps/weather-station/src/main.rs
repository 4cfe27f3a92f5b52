//! `weather-station`: the component's entry point (see the library for the screen).

display_graphics::app_main!(weather_station, "weather-station", "a display driver");
