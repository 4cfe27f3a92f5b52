//! Drawing the game with embedded-graphics on any `BinaryColor` target.

use crate::game::{Dir, Game, GhostState, Phase};
use crate::maze::{Maze, TILE, Tile};
use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::mono_font::ascii::FONT_4X6;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::Rectangle;
use embedded_graphics::text::{Baseline, Text};

/// Width of the score panel beside the maze, when the display has room for it.
pub const HUD_WIDTH: u32 = 20;

/// Where the maze and the score panel go on a display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Top-left corner of the maze.
    pub maze: Point,
    /// Top-left corner of the score panel, if there is room for one.
    pub hud: Option<Point>,
}

impl Layout {
    /// The maze at the left (centred vertically) with the panel at its right on a display wide
    /// enough for both; the maze centred alone otherwise.
    pub fn new(display: Size, maze: &Maze) -> Self {
        let (mw, mh) = (maze.pixel_width(), maze.pixel_height());
        let top = (display.height.saturating_sub(mh) / 2) as i32;
        if display.width >= mw + HUD_WIDTH {
            let spare = display.width - mw - HUD_WIDTH;
            let left = (spare / 2) as i32;
            Self {
                maze: Point::new(left, top),
                hud: Some(Point::new(left + mw as i32 + 1, top)),
            }
        } else {
            Self {
                maze: Point::new((display.width.saturating_sub(mw) / 2) as i32, top),
                hud: None,
            }
        }
    }
}

/// 4x4 sprites, one row per byte, bit 3 = leftmost pixel.
mod sprite {
    pub const PACMAN_CLOSED: [u8; 4] = [0b0110, 0b1111, 0b1111, 0b0110];
    pub const PACMAN_RIGHT: [u8; 4] = [0b0110, 0b1100, 0b1100, 0b0110];
    pub const PACMAN_LEFT: [u8; 4] = [0b0110, 0b0011, 0b0011, 0b0110];
    pub const PACMAN_UP: [u8; 4] = [0b0000, 0b1001, 0b1111, 0b0110];
    pub const PACMAN_DOWN: [u8; 4] = [0b0110, 0b1111, 0b1001, 0b0000];
    pub const DYING: [[u8; 4]; 5] = [
        [0b1001, 0b1001, 0b1111, 0b0110],
        [0b0000, 0b1001, 0b1111, 0b0110],
        [0b0000, 0b0000, 0b0110, 0b0110],
        [0b0000, 0b0000, 0b0000, 0b0100],
        [0b0000, 0b0000, 0b0000, 0b0000],
    ];
    pub const GHOST: [[u8; 4]; 2] = [
        [0b0110, 0b1001, 0b1111, 0b1010],
        [0b0110, 0b1001, 0b1111, 0b0101],
    ];
    pub const FRIGHTENED: [[u8; 4]; 2] = [
        [0b0110, 0b1111, 0b1001, 0b1010],
        [0b0110, 0b1111, 0b1001, 0b0101],
    ];
    pub const EYES: [u8; 4] = [0b0000, 0b1001, 0b0000, 0b0000];
    pub const LIFE: [u8; 4] = [0b0110, 0b1100, 0b0110, 0b0000];
}

/// Draws the whole frame: maze, pellets, ghosts, pacman, score panel and any message.
pub fn draw<D>(game: &Game, layout: &Layout, target: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget<Color = BinaryColor>,
{
    target.clear(BinaryColor::Off)?;
    let origin = layout.maze;
    let flashing = matches!(game.phase, Phase::LevelClear(n) if (n / 8) % 2 == 1);
    if !flashing {
        draw_walls(&game.maze, origin, target)?;
    }
    draw_pellets(game, origin, target)?;

    let playing_or_ready = matches!(game.phase, Phase::Playing | Phase::Ready(_));
    if playing_or_ready {
        for ghost in &game.ghosts {
            let wiggle = ((game.frame / 6) % 2) as usize;
            let bits = match ghost.state {
                GhostState::Eyes => sprite::EYES,
                _ if ghost.frightened => {
                    // Blinks in the last two seconds of the fright.
                    let ending = game.fright_left() < 60 && (game.frame / 4).is_multiple_of(2);
                    if ending {
                        sprite::GHOST[wiggle]
                    } else {
                        sprite::FRIGHTENED[wiggle]
                    }
                }
                _ => sprite::GHOST[wiggle],
            };
            let at = origin + Point::new(ghost.actor.x, ghost.actor.y);
            draw_sprite(bits, at, target)?;
        }
    }

    let pac_at = origin + Point::new(game.pacman.x, game.pacman.y);
    let pac = match game.phase {
        Phase::Dying(n) => {
            let stage = (crate::game::DYING_FRAMES - n) as usize * sprite::DYING.len()
                / crate::game::DYING_FRAMES as usize;
            Some(sprite::DYING[stage.min(sprite::DYING.len() - 1)])
        }
        Phase::GameOver(_) => None,
        _ => {
            let chewing = game.pacman_moving && (game.frame / 3).is_multiple_of(2);
            Some(if !chewing {
                sprite::PACMAN_CLOSED
            } else {
                match game.pacman.dir {
                    Dir::Up => sprite::PACMAN_UP,
                    Dir::Left => sprite::PACMAN_LEFT,
                    Dir::Down => sprite::PACMAN_DOWN,
                    Dir::Right => sprite::PACMAN_RIGHT,
                }
            })
        }
    };
    if let Some(bits) = pac {
        draw_sprite(bits, pac_at, target)?;
    }

    if let Some(hud) = layout.hud {
        draw_hud(game, hud, target)?;
    }

    let message = match game.phase {
        Phase::Ready(_) => Some("READY!"),
        Phase::GameOver(_) => Some("GAME OVER"),
        _ => None,
    };
    if let Some(message) = message {
        let width = message.len() as i32 * 4;
        let center = origin
            + Point::new(
                game.maze.pixel_width() as i32 / 2,
                game.maze.pixel_height() as i32 / 2,
            );
        let top_left = center - Point::new(width / 2, 3);
        Rectangle::new(top_left - Point::new(2, 1), Size::new(width as u32 + 3, 8))
            .into_styled(embedded_graphics::primitives::PrimitiveStyle::with_fill(
                BinaryColor::Off,
            ))
            .draw(target)?;
        Text::with_baseline(message, top_left, text_style(), Baseline::Top).draw(target)?;
    }
    Ok(())
}

fn text_style() -> MonoTextStyle<'static, BinaryColor> {
    MonoTextStyle::new(&FONT_4X6, BinaryColor::On)
}

/// Walls as 2-pixel lines along the inside of their outline: a one-tile wall is a solid bar,
/// a thicker block a hollow outline.
fn draw_walls<D>(maze: &Maze, origin: Point, target: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget<Color = BinaryColor>,
{
    let mut fill = |x0: i32, y0: i32, x1: i32, y1: i32| {
        target.fill_solid(
            &Rectangle::with_corners(origin + Point::new(x0, y0), origin + Point::new(x1, y1)),
            BinaryColor::On,
        )
    };
    for ty in 0..maze.height() {
        for tx in 0..maze.width() {
            if !maze.is_wall((tx, ty)) {
                continue;
            }
            let wall = |dx: i32, dy: i32| maze.is_wall((tx + dx, ty + dy));
            let (px, py) = (tx * TILE, ty * TILE);
            let x0 = if wall(-1, 0) { px } else { px + 1 };
            let x1 = if wall(1, 0) { px + 3 } else { px + 2 };
            let y0 = if wall(0, -1) { py } else { py + 1 };
            let y1 = if wall(0, 1) { py + 3 } else { py + 2 };
            if !wall(0, -1) {
                fill(x0, py + 1, x1, py + 1)?;
            }
            if !wall(0, 1) {
                fill(x0, py + 2, x1, py + 2)?;
            }
            if !wall(-1, 0) {
                fill(px + 1, y0, px + 1, y1)?;
            }
            if !wall(1, 0) {
                fill(px + 2, y0, px + 2, y1)?;
            }
            // Inner corners: both sides are wall but the diagonal is open.
            for (sx, sy) in [(-1, -1), (1, -1), (-1, 1), (1, 1)] {
                if wall(sx, 0) && wall(0, sy) && !wall(sx, sy) {
                    let cx = if sx < 0 { px + 1 } else { px + 2 };
                    let cy = if sy < 0 { py + 1 } else { py + 2 };
                    let (hx0, hx1) = if sx < 0 {
                        (px, px + 1)
                    } else {
                        (px + 2, px + 3)
                    };
                    let (vy0, vy1) = if sy < 0 {
                        (py, py + 1)
                    } else {
                        (py + 2, py + 3)
                    };
                    fill(hx0, cy, hx1, cy)?;
                    fill(cx, vy0, cx, vy1)?;
                }
            }
        }
    }
    Ok(())
}

fn draw_pellets<D>(game: &Game, origin: Point, target: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget<Color = BinaryColor>,
{
    let maze = &game.maze;
    let power_visible = !matches!(game.phase, Phase::Playing) || (game.frame / 8).is_multiple_of(2);
    for ty in 0..maze.height() {
        for tx in 0..maze.width() {
            let at = origin + Point::new(tx * TILE + 1, ty * TILE + 1);
            match maze.tile((tx, ty)) {
                Tile::Pellet => Pixel(at, BinaryColor::On).draw(target)?,
                Tile::Power if power_visible => {
                    target.fill_solid(&Rectangle::new(at, Size::new(2, 2)), BinaryColor::On)?
                }
                Tile::Door => target.fill_solid(
                    &Rectangle::new(at + Point::new(-1, 1), Size::new(TILE as u32, 1)),
                    BinaryColor::On,
                )?,
                _ => {}
            }
        }
    }
    Ok(())
}

fn draw_sprite<D>(bits: [u8; 4], at: Point, target: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget<Color = BinaryColor>,
{
    let pixels = bits.into_iter().enumerate().flat_map(move |(row, byte)| {
        (0..4)
            .filter(move |col| byte & (0b1000 >> col) != 0)
            .map(move |col| Pixel(at + Point::new(col, row as i32), BinaryColor::On))
    });
    target.draw_iter(pixels)
}

fn draw_hud<D>(game: &Game, at: Point, target: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget<Color = BinaryColor>,
{
    let style = text_style();
    let score = game.score.min(99_999).to_string();
    Text::with_baseline(&score, at, style, Baseline::Top).draw(target)?;
    for life in 0..game.lives.saturating_sub(1).min(4) {
        draw_sprite(
            sprite::LIFE,
            at + Point::new(i32::from(life) * 5, 8),
            target,
        )?;
    }
    let level = format!("L{}", game.level.min(99));
    Text::with_baseline(&level, at + Point::new(0, 14), style, Baseline::Top).draw(target)?;
    let who = if game.autopilot() { "AUTO" } else { "YOU" };
    Text::with_baseline(who, at + Point::new(0, 26), style, Baseline::Top).draw(target)?;
    Ok(())
}
