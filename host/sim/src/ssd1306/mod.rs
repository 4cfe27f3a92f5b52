//! The SSD1306 OLED controller model.
