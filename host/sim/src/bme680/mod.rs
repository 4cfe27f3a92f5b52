//! The BME680 environmental sensor model.
