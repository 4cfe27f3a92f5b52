use crate::game::*;
use crate::maze::*;
use crate::render::{self, Layout};
use display_graphics::{Area, GraphicsDisplay, PanelInfo, PixelFormat, PixelSink};
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::Size;

fn playing(maze: Maze) -> Game {
    let mut game = Game::new(maze, 1);
    while game.phase != Phase::Playing {
        game.step(Input::default());
    }
    game
}

fn run(game: &mut Game, frames: u32) {
    for _ in 0..frames {
        game.step(Input::default());
    }
}

#[test]
fn both_mazes_are_connected_mirrored_and_have_no_open_squares() {
    for maze in [Maze::small(), Maze::large()] {
        let (w, h) = (maze.width(), maze.height());
        assert_eq!(w, 27);
        let from_start = maze.distances([maze.pacman_start()], Maze::open_to_pacman);
        for y in 0..h {
            for x in 0..w {
                assert_eq!(
                    maze.tile((x, y)),
                    maze.tile((w - 1 - x, y)),
                    "mirror at {x},{y}"
                );
                if maze.open_to_pacman((x, y)) {
                    assert_ne!(from_start.at((x, y)), u32::MAX, "{x},{y} is unreachable");
                    let square = [(x + 1, y), (x, y + 1), (x + 1, y + 1)];
                    assert!(
                        !square.iter().all(|&p| maze.open_to_pacman(p)),
                        "open 2x2 square at {x},{y}"
                    );
                }
                if x == 0 || y == 0 || x == w - 1 || y == h - 1 {
                    assert_eq!(maze.tile((x, y)), Tile::Wall, "border at {x},{y}");
                }
            }
        }
        assert_eq!(maze.tile(maze.exit()), Tile::Empty);
        assert_eq!(maze.tile((maze.exit().0, maze.exit().1 + 1)), Tile::Door);
        // Ghosts can go from the house to the exit and back.
        let to_exit = maze.distances([maze.exit()], Maze::open_to_door_ghost);
        for tile in maze.house() {
            assert!(to_exit.at(tile) <= 3);
        }
    }
    assert_eq!(Maze::small().pellets_left(), 89);
    assert_eq!(Maze::large().pellets_left(), 198);
}

#[test]
fn the_maze_fits_the_display() {
    assert_eq!(Maze::for_display(128, 32).unwrap().height(), 8);
    assert_eq!(Maze::for_display(128, 63).unwrap().height(), 8);
    assert_eq!(Maze::for_display(128, 64).unwrap().height(), 16);
    assert_eq!(Maze::for_display(320, 240).unwrap().height(), 16);
    assert!(Maze::for_display(100, 64).is_none());
    assert!(Maze::for_display(128, 31).is_none());
}

#[test]
fn the_autopilot_clears_pellets_by_itself() {
    let mut game = Game::new(Maze::small(), 1);
    let start = game.maze.pellets_left();
    run(&mut game, 30 * FPS);
    let eaten = start - game.maze.pellets_left();
    assert!(eaten >= 40, "only {eaten} pellets in 30 s");
    assert!(game.score >= 400);
    assert!(game.autopilot());
}

#[test]
fn the_autopilot_clears_a_level_of_the_large_maze() {
    let mut game = Game::new(Maze::large(), 1);
    let mut cleared = false;
    for _ in 0..(5 * 60 * FPS) {
        game.step(Input::default());
        if matches!(game.phase, Phase::LevelClear(_)) || game.level > 1 {
            cleared = true;
            break;
        }
    }
    assert!(
        cleared,
        "no level cleared in 5 minutes (score {})",
        game.score
    );
}

#[test]
fn the_game_is_deterministic() {
    let mut a = Game::new(Maze::small(), 42);
    let mut b = Game::new(Maze::small(), 42);
    run(&mut a, 2000);
    run(&mut b, 2000);
    assert_eq!(a.score, b.score);
    assert_eq!(a.pacman, b.pacman);
    assert_eq!(a.ghosts, b.ghosts);
    assert_eq!(a.maze, b.maze);
    assert_eq!(a.phase, b.phase);
}

#[test]
fn scatter_and_chase_alternate_on_schedule() {
    assert_eq!(mode_at(0), Mode::Scatter);
    assert_eq!(mode_at(7 * FPS - 1), Mode::Scatter);
    assert_eq!(mode_at(7 * FPS), Mode::Chase);
    assert_eq!(mode_at(27 * FPS), Mode::Scatter);
    assert_eq!(mode_at(34 * FPS), Mode::Chase);
    assert_eq!(mode_at(54 * FPS), Mode::Scatter);
    assert_eq!(mode_at(59 * FPS), Mode::Chase);
    assert_eq!(mode_at(1_000_000), Mode::Chase);
}

#[test]
fn ghosts_reverse_when_the_mode_switches_and_change_targets() {
    let mut game = playing(Maze::large());
    // Keep pacman out of reach: no ghost may catch it while the clock runs.
    let blinky_corner = game.target(&game.ghosts[0]);
    assert_eq!(game.mode(), Mode::Scatter);
    assert_eq!(blinky_corner, (game.maze.width() - 2, -3));
    // Let the ghosts out, then jump to the end of the first scatter.
    run(&mut game, 2 * FPS);
    assert_eq!(game.phase, Phase::Playing);
    assert_eq!(game.fright_left(), 0);
    assert!(
        game.ghosts
            .iter()
            .filter(|g| g.state == GhostState::Active)
            .count()
            >= 2
    );
    game.mode_frames = 7 * FPS - 3;
    let mut switched = false;
    for _ in 0..5 {
        let before = game.mode();
        let dirs: Vec<Dir> = game.ghosts.iter().map(|g| g.actor.dir).collect();
        let states: Vec<GhostState> = game.ghosts.iter().map(|g| g.state).collect();
        game.step(Input::default());
        if game.phase != Phase::Playing {
            panic!("pacman was caught before the switch: {:?}", game.phase);
        }
        if before == Mode::Scatter && game.mode() == Mode::Chase {
            switched = true;
            for (i, ghost) in game.ghosts.iter().enumerate() {
                if states[i] == GhostState::Active && ghost.state == GhostState::Active {
                    // Reversed at the switch; a ghost on a tile may have turned again since.
                    assert!(
                        ghost.actor.dir == dirs[i].opposite() || ghost.actor.aligned(),
                        "ghost {i} did not reverse"
                    );
                }
            }
            break;
        }
    }
    assert!(switched);
    assert_eq!(game.target(&game.ghosts[0]), game.pacman.tile());
}

#[test]
fn a_ghost_catches_pacman_and_costs_a_life() {
    let mut game = playing(Maze::small());
    let pac = game.pacman.tile();
    game.ghosts[0].actor = Actor::at(pac, Dir::Left);
    game.ghosts[0].state = GhostState::Active;
    game.step(Input::default());
    assert_eq!(game.phase, Phase::Dying(DYING_FRAMES));
    assert_eq!(game.lives, START_LIVES);
    run(&mut game, DYING_FRAMES);
    assert_eq!(game.lives, START_LIVES - 1);
    assert_eq!(game.phase, Phase::Ready(READY_FRAMES));
    assert_eq!(game.pacman.tile(), game.maze.pacman_start());
}

#[test]
fn frightened_ghosts_are_eaten_for_rising_points_and_go_home() {
    let mut game = playing(Maze::small());
    game.score = 0;
    // A power pellet frightens the active ghosts.
    let power = (1, 6);
    assert_eq!(game.maze.tile(power), Tile::Power);
    game.pacman = Actor::at((2, 6), Dir::Left);
    game.want = Some(Dir::Left);
    game.manual_until = u64::MAX;
    for _ in 0..20 {
        game.step(Input::default());
        if game.fright_left() > 0 {
            break;
        }
    }
    assert_eq!(game.maze.tile(power), Tile::Empty);
    assert!(game.ghosts[0].frightened);
    assert!(game.score >= 50);

    let before = game.score;
    let pac = game.pacman;
    // The other two stay home, so that nobody catches pacman while the eyes travel.
    game.ghosts[2].state = GhostState::Waiting(u32::MAX);
    game.ghosts[3].state = GhostState::Waiting(u32::MAX);
    game.manual_until = 0;
    for i in 0..2 {
        game.ghosts[i].actor = Actor::at(pac.tile(), Dir::Right);
        game.ghosts[i].actor.x = pac.x;
        game.ghosts[i].actor.y = pac.y;
        game.ghosts[i].state = GhostState::Active;
        game.ghosts[i].frightened = true;
    }
    game.step(Input::default());
    assert_eq!(game.phase, Phase::Playing);
    assert_eq!(game.score - before, 200 + 400);
    assert_eq!(game.ghosts[0].state, GhostState::Eyes);
    assert_eq!(game.ghosts[1].state, GhostState::Eyes);

    // The eyes find the house and come out again as a ghost.
    let mut back = false;
    for _ in 0..(20 * FPS) {
        game.step(Input::default());
        if game.phase != Phase::Playing {
            break;
        }
        if game.ghosts[0].state == GhostState::Active && !game.ghosts[0].frightened {
            back = true;
            break;
        }
    }
    assert!(
        back,
        "the eaten ghost did not come back: {:?}",
        game.ghosts[0]
    );
}

#[test]
fn ghosts_leave_the_house_in_turn() {
    let mut game = playing(Maze::large());
    assert!(matches!(game.ghosts[3].state, GhostState::Waiting(_)));
    run(&mut game, 12 * FPS);
    if game.phase == Phase::Playing {
        for ghost in &game.ghosts {
            assert!(
                !matches!(ghost.state, GhostState::Waiting(_)),
                "{ghost:?} is still waiting"
            );
        }
    }
}

#[test]
fn buttons_steer_and_switch_the_autopilot_off() {
    let mut game = playing(Maze::small());
    let right = Input {
        right: true,
        ..Input::default()
    };
    game.step(right);
    assert!(!game.autopilot());
    run(&mut game, 8);
    assert_eq!(game.pacman.dir, Dir::Right);
    assert!(game.pacman.x > game.maze.pacman_start().0 * TILE);
    run(&mut game, MANUAL_FRAMES as u32);
    assert!(game.autopilot());
}

#[test]
fn button_input_rules() {
    let held = |up, down, left, right| Input {
        up,
        down,
        left,
        right,
    };
    assert_eq!(held(true, false, false, false).dir(), Some(Dir::Up));
    assert_eq!(held(false, false, false, true).dir(), Some(Dir::Right));
    assert_eq!(held(true, true, false, false).dir(), None);
    assert_eq!(held(true, true, true, false).dir(), Some(Dir::Left));
    assert_eq!(held(true, false, true, false).dir(), None);
    assert_eq!(held(true, true, true, true).dir(), None);
    assert_eq!(Input::default().dir(), None);
}

#[test]
fn clearing_the_maze_starts_the_next_level() {
    let mut game = playing(Maze::small());
    // Eat everything but the pellet right of pacman's start.
    let start = game.maze.pacman_start();
    let last = (start.0 + 1, start.1);
    for y in 0..game.maze.height() {
        for x in 0..game.maze.width() {
            if (x, y) != last {
                game.maze.eat((x, y));
            }
        }
    }
    assert_eq!(game.maze.pellets_left(), 1);
    game.step(Input {
        right: true,
        ..Input::default()
    });
    for _ in 0..10 {
        if game.phase != Phase::Playing {
            break;
        }
        game.step(Input::default());
    }
    assert_eq!(game.phase, Phase::LevelClear(LEVEL_CLEAR_FRAMES));
    assert_eq!(game.level, 1);
    run(&mut game, LEVEL_CLEAR_FRAMES);
    assert_eq!(game.level, 2);
    assert_eq!(game.maze.pellets_left(), Maze::small().pellets_left());
}

#[test]
fn the_last_life_ends_the_game_and_a_new_one_starts() {
    let mut game = playing(Maze::small());
    game.lives = 1;
    game.score = 1234;
    game.high_score = 1234;
    game.phase = Phase::Dying(1);
    game.step(Input::default());
    assert_eq!(game.phase, Phase::GameOver(GAME_OVER_FRAMES));
    run(&mut game, GAME_OVER_FRAMES);
    assert_eq!(game.phase, Phase::Ready(READY_FRAMES));
    assert_eq!(
        (game.score, game.high_score, game.lives),
        (0, 1234, START_LIVES)
    );
}

/// A display that records the present-region calls.
struct Recorder {
    info: PanelInfo,
    calls: Vec<Area>,
}

impl PixelSink for Recorder {
    type Error = ();
    fn info(&self) -> PanelInfo {
        self.info
    }
    fn present_region(&mut self, area: Area, _: &[u8]) -> Result<(), ()> {
        self.calls.push(area);
        Ok(())
    }
}

fn display(width: u32, height: u32) -> GraphicsDisplay<Recorder, BinaryColor> {
    let info = PanelInfo {
        width,
        height,
        format: PixelFormat::Mono1,
    };
    GraphicsDisplay::new(Recorder {
        info,
        calls: Vec::new(),
    })
    .unwrap()
}

#[test]
fn a_frame_on_the_pmod_oled_has_maze_pellets_and_score() {
    let mut d = display(128, 32);
    let game = Game::new(Maze::small(), 1);
    let layout = Layout::new(Size::new(128, 32), &game.maze);
    assert_eq!(layout.maze, embedded_graphics::prelude::Point::new(0, 0));
    assert_eq!(
        layout.hud,
        Some(embedded_graphics::prelude::Point::new(109, 0))
    );
    let Ok(()) = render::draw(&game, &layout, &mut d);
    let lit = |x, y| d.pixel(x, y) == Some(BinaryColor::On);
    // The border is a 2-pixel line inset by one pixel; the corner pixel stays dark.
    assert!(!lit(0, 0));
    assert!(lit(1, 1) && lit(2, 2) && lit(50, 1) && lit(50, 2) && !lit(50, 3));
    // A pellet at tile (2, 1); a power pellet at (1, 1) is 2x2.
    assert!(lit(9, 5) && !lit(10, 5));
    assert!(lit(5, 5) && lit(6, 6));
    // The score panel ("0") is drawn right of the maze.
    assert!((109..128).any(|x| (0..6).any(|y| lit(x, y))));
    // Nothing outside the maze and panel.
    assert!((108..109).all(|x| (0..32).all(|y| !lit(x, y))));
    assert_eq!(
        d.flush(),
        Ok(Some(Area {
            x: 0,
            y: 0,
            width: 128,
            height: 32
        }))
    );
}

#[test]
fn an_unchanged_frame_sends_nothing_and_play_sends_one_call_per_frame() {
    let mut d = display(128, 64);
    let mut game = Game::new(Maze::large(), 1);
    let layout = Layout::new(Size::new(128, 64), &game.maze);
    let Ok(()) = render::draw(&game, &layout, &mut d);
    d.flush().unwrap();
    // Ready: nothing moves, so nothing is sent.
    game.step(Input::default());
    let Ok(()) = render::draw(&game, &layout, &mut d);
    assert_eq!(d.flush(), Ok(None));
    for _ in 0..(READY_FRAMES + 60) {
        game.step(Input::default());
        let Ok(()) = render::draw(&game, &layout, &mut d);
        d.flush().unwrap();
    }
    let calls = &d.panel().calls;
    assert!(calls.len() > 1 && calls.len() <= 1 + 1 + READY_FRAMES as usize + 60);
    // Once playing, something moves in every frame, and only part of the screen is sent.
    assert!(calls.iter().skip(1).any(|a| a.width * a.height < 128 * 64));
}
