//! The game: pacman, four ghosts with scatter/chase/frightened behaviour, collisions, levels and
//! an autopilot. Pure logic in frames (30 per second), with no clock and no host randomness.

use crate::maze::{Distances, Maze, TILE, Tile, TilePos};

/// Frames per second the game is tuned for.
pub const FPS: u32 = 30;
/// Frames a button press keeps the autopilot off.
pub const MANUAL_FRAMES: u64 = 5 * FPS as u64;
/// Lives at the start of a game.
pub const START_LIVES: u8 = 3;
/// The scatter/chase schedule: (mode, frames), then chase for good.
pub const MODE_SCHEDULE: [(Mode, u32); 5] = [
    (Mode::Scatter, 7 * FPS),
    (Mode::Chase, 20 * FPS),
    (Mode::Scatter, 7 * FPS),
    (Mode::Chase, 20 * FPS),
    (Mode::Scatter, 5 * FPS),
];
/// Frames before each ghost leaves the house after a (re)start.
pub const RELEASE_FRAMES: [u32; 4] = [0, FPS, 5 * FPS, 9 * FPS];
/// Frames of the "READY" pause.
pub const READY_FRAMES: u32 = 2 * FPS;
/// Frames of the death animation.
pub const DYING_FRAMES: u32 = 45;
/// Frames the cleared maze flashes.
pub const LEVEL_CLEAR_FRAMES: u32 = 2 * FPS;
/// Frames "GAME OVER" stays before a new game.
pub const GAME_OVER_FRAMES: u32 = 3 * FPS;

/// Speeds, in sixteenths of a pixel per frame.
const PACMAN_SPEED: u32 = 12;
const GHOST_SPEED: u32 = 10;
const FRIGHTENED_SPEED: u32 = 6;
const EYES_SPEED: u32 = 24;
const DOOR_SPEED: u32 = 8;

/// A direction of movement. The order is the tie-break order of the ghosts and the autopilot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    /// Towards row 0.
    Up,
    /// Towards column 0.
    Left,
    /// Away from row 0.
    Down,
    /// Away from column 0.
    Right,
}

impl Dir {
    /// Every direction, in tie-break order.
    pub const ALL: [Dir; 4] = [Dir::Up, Dir::Left, Dir::Down, Dir::Right];

    /// The step (dx, dy) of one tile or pixel.
    pub fn delta(self) -> (i32, i32) {
        match self {
            Dir::Up => (0, -1),
            Dir::Left => (-1, 0),
            Dir::Down => (0, 1),
            Dir::Right => (1, 0),
        }
    }

    /// The other way.
    pub fn opposite(self) -> Dir {
        match self {
            Dir::Up => Dir::Down,
            Dir::Left => Dir::Right,
            Dir::Down => Dir::Up,
            Dir::Right => Dir::Left,
        }
    }

    fn from(self, (x, y): TilePos, tiles: i32) -> TilePos {
        let (dx, dy) = self.delta();
        (x + dx * tiles, y + dy * tiles)
    }
}

/// The direction buttons held this frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Input {
    /// Up is held.
    pub up: bool,
    /// Down is held.
    pub down: bool,
    /// Left is held.
    pub left: bool,
    /// Right is held.
    pub right: bool,
}

impl Input {
    /// The direction asked for, if exactly one is clear: opposite buttons held together cancel,
    /// and two axes at once (or all four, as with buttons read with the wrong polarity) ask for
    /// nothing.
    pub fn dir(self) -> Option<Dir> {
        let vertical = match (self.up, self.down) {
            (true, false) => Some(Dir::Up),
            (false, true) => Some(Dir::Down),
            _ => None,
        };
        let horizontal = match (self.left, self.right) {
            (true, false) => Some(Dir::Left),
            (false, true) => Some(Dir::Right),
            _ => None,
        };
        match (vertical, horizontal) {
            (Some(d), None) | (None, Some(d)) => Some(d),
            _ => None,
        }
    }
}

/// A fixed-seed xorshift generator: the only randomness (frightened ghosts' turns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rng(u32);

impl Rng {
    /// A generator from `seed` (0 is replaced by a fixed non-zero seed).
    pub fn new(seed: u32) -> Self {
        Self(if seed == 0 { 0x9E37_79B9 } else { seed })
    }

    /// The next number.
    pub fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u32) -> u32 {
        self.next_u32() % n
    }
}

/// Something that moves through the maze in one-pixel steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    /// Left edge in maze pixels.
    pub x: i32,
    /// Top edge in maze pixels.
    pub y: i32,
    /// Where it is heading.
    pub dir: Dir,
    /// Sixteenths of a pixel carried over to the next frame.
    sub: u32,
}

impl Actor {
    /// An actor on `tile`, heading `dir`.
    pub fn at(tile: TilePos, dir: Dir) -> Self {
        Self {
            x: tile.0 * TILE,
            y: tile.1 * TILE,
            dir,
            sub: 0,
        }
    }

    /// Whether it sits exactly on a tile (where turns are decided).
    pub fn aligned(&self) -> bool {
        self.x % TILE == 0 && self.y % TILE == 0
    }

    /// The tile it covers most.
    pub fn tile(&self) -> TilePos {
        ((self.x + TILE / 2) / TILE, (self.y + TILE / 2) / TILE)
    }

    /// The whole pixels to move this frame at `speed` sixteenths per frame.
    fn steps(&mut self, speed: u32) -> u32 {
        self.sub += speed;
        let steps = self.sub / 16;
        self.sub %= 16;
        steps
    }

    fn advance(&mut self) {
        let (dx, dy) = self.dir.delta();
        self.x += dx;
        self.y += dy;
    }

    fn overlaps(&self, other: &Actor) -> bool {
        (self.x - other.x).abs() < 3 && (self.y - other.y).abs() < 3
    }
}

/// Scatter or chase: what the ghosts do when they are not frightened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Each ghost heads for its own corner.
    Scatter,
    /// Each ghost hunts pacman in its own way.
    Chase,
}

/// The mode after `frames` of unfrightened play in a level.
pub fn mode_at(frames: u32) -> Mode {
    let mut start = 0;
    for (mode, length) in MODE_SCHEDULE {
        start += length;
        if frames < start {
            return mode;
        }
    }
    Mode::Chase
}

/// Where a ghost is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GhostState {
    /// In the house, leaving after this many more frames.
    Waiting(u32),
    /// On its way out of the house through the door.
    Leaving,
    /// In the maze, scattering, chasing or frightened.
    Active,
    /// Eaten: its eyes go back to the house.
    Eyes,
}

/// One of the four ghosts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ghost {
    /// Position and heading.
    pub actor: Actor,
    /// Where it is in its life.
    pub state: GhostState,
    /// Frightened by a power pellet (and not eaten since).
    pub frightened: bool,
    /// 0 Blinky (chases pacman), 1 Pinky (ambushes ahead), 2 Inky (flanks with Blinky),
    /// 3 Clyde (chases from afar, scatters when close).
    pub personality: usize,
}

/// What the game is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Standing still before play starts; frames left.
    Ready(u32),
    /// Playing.
    Playing,
    /// Pacman was caught; frames of the animation left.
    Dying(u32),
    /// Every pellet is eaten; frames of flashing left.
    LevelClear(u32),
    /// No lives left; frames before a new game.
    GameOver(u32),
}

/// The whole game state.
#[derive(Clone, Debug)]
pub struct Game {
    /// The maze being played (pellets disappear from it).
    pub maze: Maze,
    fresh: Maze,
    /// Pacman.
    pub pacman: Actor,
    /// Whether pacman moved in the last frame (its mouth only chews while it moves).
    pub pacman_moving: bool,
    pub(crate) want: Option<Dir>,
    /// The ghosts.
    pub ghosts: Vec<Ghost>,
    /// Points this game.
    pub score: u32,
    /// Best score since start.
    pub high_score: u32,
    /// Lives left, the one being played included.
    pub lives: u8,
    /// Level, from 1.
    pub level: u32,
    /// What the game is doing.
    pub phase: Phase,
    /// Frames since the start of the program.
    pub frame: u64,
    pub(crate) mode_frames: u32,
    fright_left: u32,
    ghosts_eaten: u32,
    pub(crate) manual_until: u64,
    rng: Rng,
}

impl Game {
    /// A new game on `maze`, with frightened ghosts' choices drawn from `seed`.
    pub fn new(maze: Maze, seed: u32) -> Self {
        let mut game = Self {
            fresh: maze.clone(),
            maze,
            pacman: Actor::at((0, 0), Dir::Left),
            pacman_moving: false,
            want: None,
            ghosts: Vec::new(),
            score: 0,
            high_score: 0,
            lives: START_LIVES,
            level: 1,
            phase: Phase::Ready(READY_FRAMES),
            frame: 0,
            mode_frames: 0,
            fright_left: 0,
            ghosts_eaten: 0,
            manual_until: 0,
            rng: Rng::new(seed),
        };
        game.reset_actors();
        game
    }

    /// Scatter or chase now.
    pub fn mode(&self) -> Mode {
        mode_at(self.mode_frames)
    }

    /// Frames of fright left (0 when no ghost is frightened).
    pub fn fright_left(&self) -> u32 {
        self.fright_left
    }

    /// Whether the autopilot steers (no button pressed in the last [`MANUAL_FRAMES`]).
    pub fn autopilot(&self) -> bool {
        self.frame >= self.manual_until
    }

    /// Advances one frame with the buttons held in `input`.
    pub fn step(&mut self, input: Input) {
        self.frame += 1;
        if let Some(dir) = input.dir() {
            self.want = Some(dir);
            self.manual_until = self.frame + MANUAL_FRAMES;
        }
        match self.phase {
            Phase::Ready(n) => {
                self.phase = if n <= 1 {
                    Phase::Playing
                } else {
                    Phase::Ready(n - 1)
                };
            }
            Phase::Playing => self.play(),
            Phase::Dying(n) if n > 1 => self.phase = Phase::Dying(n - 1),
            Phase::Dying(_) => {
                self.lives -= 1;
                if self.lives == 0 {
                    self.phase = Phase::GameOver(GAME_OVER_FRAMES);
                } else {
                    self.reset_actors();
                    self.phase = Phase::Ready(READY_FRAMES);
                }
            }
            Phase::LevelClear(n) if n > 1 => self.phase = Phase::LevelClear(n - 1),
            Phase::LevelClear(_) => {
                self.level += 1;
                self.maze = self.fresh.clone();
                self.reset_actors();
                self.phase = Phase::Ready(READY_FRAMES);
            }
            Phase::GameOver(n) if n > 1 => self.phase = Phase::GameOver(n - 1),
            Phase::GameOver(_) => {
                self.score = 0;
                self.lives = START_LIVES;
                self.level = 1;
                self.maze = self.fresh.clone();
                self.reset_actors();
                self.phase = Phase::Ready(READY_FRAMES);
            }
        }
    }

    /// Puts pacman and the ghosts at their starts (after a death, a level or a new game).
    fn reset_actors(&mut self) {
        self.pacman = Actor::at(self.maze.pacman_start(), Dir::Left);
        self.pacman_moving = false;
        self.want = None;
        let house = self.maze.house();
        let starts = [self.maze.exit(), house[1], house[0], house[2]];
        self.ghosts = starts
            .iter()
            .enumerate()
            .map(|(i, &tile)| Ghost {
                actor: Actor::at(tile, if i == 0 { Dir::Left } else { Dir::Up }),
                state: if i == 0 {
                    GhostState::Active
                } else {
                    GhostState::Waiting(RELEASE_FRAMES[i])
                },
                frightened: false,
                personality: i,
            })
            .collect();
        self.mode_frames = 0;
        self.fright_left = 0;
        self.ghosts_eaten = 0;
    }

    fn play(&mut self) {
        if self.collide() {
            return;
        }
        // Pacman moves first, one pixel at a time so that no collision is skipped.
        let steps = self.pacman.steps(PACMAN_SPEED);
        self.pacman_moving = false;
        for _ in 0..steps {
            self.pacman_step();
            if self.collide() {
                return;
            }
        }
        if self.maze.pellets_left() == 0 {
            self.phase = Phase::LevelClear(LEVEL_CLEAR_FRAMES);
            return;
        }

        // Fright runs out, or the scatter/chase clock runs on (it stops while frightened).
        if self.fright_left > 0 {
            self.fright_left -= 1;
            if self.fright_left == 0 {
                for ghost in &mut self.ghosts {
                    ghost.frightened = false;
                }
            }
        } else {
            let before = self.mode();
            self.mode_frames += 1;
            if self.mode() != before {
                self.reverse_active_ghosts();
            }
        }

        for i in 0..self.ghosts.len() {
            if let GhostState::Waiting(n) = self.ghosts[i].state {
                self.ghosts[i].state = if n == 0 {
                    GhostState::Leaving
                } else {
                    GhostState::Waiting(n - 1)
                };
                continue;
            }
            let speed = self.ghost_speed(&self.ghosts[i]);
            let steps = self.ghosts[i].actor.steps(speed);
            for _ in 0..steps {
                self.ghost_step(i);
                if self.collide() {
                    return;
                }
            }
        }
    }

    fn ghost_speed(&self, ghost: &Ghost) -> u32 {
        match ghost.state {
            GhostState::Waiting(_) => 0,
            GhostState::Leaving => DOOR_SPEED,
            GhostState::Eyes => EYES_SPEED,
            GhostState::Active if ghost.frightened => FRIGHTENED_SPEED,
            GhostState::Active => GHOST_SPEED + (self.level - 1).min(3),
        }
    }

    fn fright_frames(&self) -> u32 {
        (6 * FPS)
            .saturating_sub((self.level - 1) * FPS)
            .max(2 * FPS)
    }

    fn reverse_active_ghosts(&mut self) {
        for ghost in &mut self.ghosts {
            if ghost.state == GhostState::Active {
                ghost.actor.dir = ghost.actor.dir.opposite();
            }
        }
    }

    fn pacman_step(&mut self) {
        if self.pacman.aligned() {
            let here = self.pacman.tile();
            if self.autopilot() {
                self.want = Some(self.autopilot_choice());
            }
            if let Some(want) = self.want
                && self.maze.open_to_pacman(want.from(here, 1))
            {
                self.pacman.dir = want;
            }
            if !self.maze.open_to_pacman(self.pacman.dir.from(here, 1)) {
                return; // against a wall: stand still
            }
        } else if self.want == Some(self.pacman.dir.opposite()) {
            self.pacman.dir = self.pacman.dir.opposite();
        }
        self.pacman.advance();
        self.pacman_moving = true;
        if self.pacman.aligned() {
            match self.maze.eat(self.pacman.tile()) {
                Some(Tile::Pellet) => self.score += 10,
                Some(Tile::Power) => {
                    self.score += 50;
                    self.frighten();
                }
                _ => {}
            }
            self.high_score = self.high_score.max(self.score);
        }
    }

    fn frighten(&mut self) {
        self.fright_left = self.fright_frames();
        self.ghosts_eaten = 0;
        for ghost in &mut self.ghosts {
            if ghost.state == GhostState::Active {
                ghost.frightened = true;
                ghost.actor.dir = ghost.actor.dir.opposite();
            }
        }
    }

    /// Checks pacman against every ghost: eats frightened ones, dies on the others.
    /// Returns true when pacman died.
    fn collide(&mut self) -> bool {
        for i in 0..self.ghosts.len() {
            let ghost = self.ghosts[i];
            if !matches!(ghost.state, GhostState::Active | GhostState::Leaving)
                || !ghost.actor.overlaps(&self.pacman)
            {
                continue;
            }
            if ghost.frightened {
                self.score += 200 << self.ghosts_eaten.min(3);
                self.high_score = self.high_score.max(self.score);
                self.ghosts_eaten += 1;
                self.ghosts[i].state = GhostState::Eyes;
                self.ghosts[i].frightened = false;
            } else {
                self.phase = Phase::Dying(DYING_FRAMES);
                return true;
            }
        }
        false
    }

    fn ghost_step(&mut self, i: usize) {
        if self.ghosts[i].actor.aligned() {
            let here = self.ghosts[i].actor.tile();
            match self.ghosts[i].state {
                GhostState::Leaving if here == self.maze.exit() => {
                    self.ghosts[i].state = GhostState::Active;
                    self.ghosts[i].actor.dir = Dir::Left;
                    self.ghosts[i].actor.dir = self.active_choice(i);
                }
                GhostState::Leaving => {
                    self.ghosts[i].actor.dir = self.door_step(here, self.maze.exit());
                }
                GhostState::Eyes if here == self.maze.house()[1] => {
                    self.ghosts[i].state = GhostState::Leaving;
                    self.ghosts[i].actor.dir = self.door_step(here, self.maze.exit());
                }
                GhostState::Eyes => {
                    self.ghosts[i].actor.dir = self.door_step(here, self.maze.house()[1]);
                }
                GhostState::Active => self.ghosts[i].actor.dir = self.active_choice(i),
                GhostState::Waiting(_) => return,
            }
        }
        self.ghosts[i].actor.advance();
    }

    /// The first step from `from` on a shortest way to `to` through the door.
    fn door_step(&self, from: TilePos, to: TilePos) -> Dir {
        let field = self.maze.distances([to], Maze::open_to_door_ghost);
        best_by(Dir::ALL, |d| field.at(d.from(from, 1))).unwrap_or(Dir::Up)
    }

    /// Where an active ghost turns at a tile: never back (unless it must), towards its target,
    /// or at random when frightened.
    fn active_choice(&mut self, i: usize) -> Dir {
        let ghost = self.ghosts[i];
        let here = ghost.actor.tile();
        let back = ghost.actor.dir.opposite();
        let options: Vec<Dir> = Dir::ALL
            .into_iter()
            .filter(|&d| d != back && self.maze.open_to_pacman(d.from(here, 1)))
            .collect();
        if options.is_empty() {
            return back;
        }
        if ghost.frightened {
            return options[self.rng.below(options.len() as u32) as usize];
        }
        let (tx, ty) = self.target(&ghost);
        best_by(options, |d| {
            let (x, y) = d.from(here, 1);
            ((x - tx).pow(2) + (y - ty).pow(2)) as u32
        })
        .unwrap_or(back)
    }

    /// The tile an active, unfrightened ghost heads for.
    pub fn target(&self, ghost: &Ghost) -> TilePos {
        let (w, h) = (self.maze.width(), self.maze.height());
        let corner = match ghost.personality {
            0 => (w - 2, -3),
            1 => (1, -3),
            2 => (w - 1, h + 1),
            _ => (0, h + 1),
        };
        if self.mode() == Mode::Scatter {
            return corner;
        }
        let pac = self.pacman.tile();
        let dir = self.pacman.dir;
        match ghost.personality {
            0 => pac,
            1 => dir.from(pac, 3),
            2 => {
                let ahead = dir.from(pac, 2);
                let blinky = self.ghosts[0].actor.tile();
                (2 * ahead.0 - blinky.0, 2 * ahead.1 - blinky.1)
            }
            _ => {
                let here = ghost.actor.tile();
                if (here.0 - pac.0).pow(2) + (here.1 - pac.1).pow(2) > 36 {
                    pac
                } else {
                    corner
                }
            }
        }
    }

    /// The autopilot's direction at pacman's tile: towards the nearest pellet (or frightened
    /// ghost worth chasing), away from ghosts that can catch it.
    pub fn autopilot_choice(&self) -> Dir {
        let here = self.pacman.tile();
        let dangerous = |g: &&Ghost| {
            matches!(g.state, GhostState::Active | GhostState::Leaving) && !g.frightened
        };
        let danger = self.maze.distances(
            self.ghosts
                .iter()
                .filter(dangerous)
                .flat_map(|g| [g.actor.tile(), g.actor.dir.from(g.actor.tile(), 1)]),
            Maze::open_to_pacman,
        );
        let food = self.food_field();
        let score = |d: Dir| -> i64 {
            let next = d.from(here, 1);
            let threat = danger.at(next);
            let mut score: i64 = 0;
            if threat <= 1 {
                score -= 100_000;
            } else if threat <= 4 {
                score -= i64::from(5 - threat) * 1_000;
            }
            score -= i64::from(food.at(next).min(10_000)) * 10;
            if d == self.pacman.dir.opposite() {
                score -= 5;
            }
            score
        };
        let options = Dir::ALL
            .into_iter()
            .filter(|&d| self.maze.open_to_pacman(d.from(here, 1)));
        best_by(options, |d| std::cmp::Reverse(score(d))).unwrap_or(self.pacman.dir)
    }

    /// Steps to the nearest pellet, or to a frightened ghost while the fright lasts.
    fn food_field(&self) -> Distances {
        let chase_ghosts = self.fright_left > FPS;
        let mut sources = Vec::new();
        for y in 0..self.maze.height() {
            for x in 0..self.maze.width() {
                if matches!(self.maze.tile((x, y)), Tile::Pellet | Tile::Power) {
                    sources.push((x, y));
                }
            }
        }
        if chase_ghosts {
            sources.extend(
                self.ghosts
                    .iter()
                    .filter(|g| g.frightened && g.state == GhostState::Active)
                    .map(|g| g.actor.tile()),
            );
        }
        self.maze.distances(sources, Maze::open_to_pacman)
    }
}

/// The item with the smallest key; the first one on ties.
fn best_by<T: Copy, K: Ord>(items: impl IntoIterator<Item = T>, key: impl Fn(T) -> K) -> Option<T> {
    let mut best: Option<(T, K)> = None;
    for item in items {
        let k = key(item);
        if best.as_ref().is_none_or(|(_, b)| k < *b) {
            best = Some((item, k));
        }
    }
    best.map(|(item, _)| item)
}
