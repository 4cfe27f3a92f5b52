//! The maze: walls, pellets, the ghost house, and distances over it.

use std::collections::VecDeque;

/// Side of a maze tile in pixels.
pub const TILE: i32 = 4;

/// A tile position: column, row.
pub type TilePos = (i32, i32);

/// What a tile holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tile {
    /// A wall: nobody enters.
    Wall,
    /// An empty corridor.
    Empty,
    /// A corridor with a pellet (10 points).
    Pellet,
    /// A corridor with a power pellet (50 points; ghosts turn frightened).
    Power,
    /// The ghost house door: only ghosts leaving or going home pass.
    Door,
    /// Inside the ghost house: only ghosts.
    House,
}

/// The left halves (up to and including the centre column) of the built-in mazes; the right half
/// is the mirror image. `#` wall, `.` pellet, `o` power pellet, ` ` empty, `-` door, `H` ghost
/// house, `P` pacman's start. The tile above the door is where ghosts leave the house.
///
/// 27 x 8 tiles (108 x 32 pixels), for 128x32 displays.
pub const SMALL: [&str; 8] = [
    "##############",
    "#o............",
    "#.###.####.## ",
    "#.....#....##-",
    "#.##.##.##.#HH",
    "#.##.##.##.###",
    "#o...........P",
    "##############",
];

/// 27 x 16 tiles (108 x 64 pixels), for displays 64 pixels high or more.
pub const LARGE: [&str; 16] = [
    "##############",
    "#o....#.......",
    "#.###.#.####.#",
    "#............ ",
    "#.###.#.#####-",
    "#.....#....#HH",
    "###.#.####.###",
    "#...#.......  ",
    "#.###.#####.##",
    "#.....#......P",
    "#.###.#.#####.",
    "#o..#.#.......",
    "###.#.#.####.#",
    "###.#.#.####.#",
    "###...........",
    "##############",
];

/// A maze being played.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Maze {
    width: i32,
    height: i32,
    tiles: Vec<Tile>,
    pacman_start: TilePos,
    exit: TilePos,
    house: [TilePos; 3],
    pellets_left: usize,
}

impl Maze {
    /// Builds a maze from the left halves of its rows (see [`SMALL`]).
    ///
    /// # Panics
    /// When the rows differ in length, or there is no `P`, no door or no three house tiles below
    /// the door: the layouts are constants, checked by the tests.
    pub fn from_halves(halves: &[&str]) -> Self {
        let half = halves[0].len();
        let width = (half * 2 - 1) as i32;
        let height = halves.len() as i32;
        let mut tiles = Vec::with_capacity((width * height) as usize);
        let mut pacman_start = None;
        let mut door = None;
        for (y, row) in halves.iter().enumerate() {
            assert_eq!(row.len(), half, "maze row {y} has the wrong length");
            let left: Vec<char> = row.chars().collect();
            let full = left.iter().chain(left[..half - 1].iter().rev());
            for (x, c) in full.enumerate() {
                let pos = (x as i32, y as i32);
                tiles.push(match c {
                    '#' => Tile::Wall,
                    '.' => Tile::Pellet,
                    'o' => Tile::Power,
                    '-' => {
                        door.get_or_insert(pos);
                        Tile::Door
                    }
                    'H' => Tile::House,
                    'P' => {
                        pacman_start = Some(pos);
                        Tile::Empty
                    }
                    ' ' => Tile::Empty,
                    other => panic!("unknown maze character {other:?}"),
                });
            }
        }
        let door = door.expect("the maze has no door");
        let pacman_start = pacman_start.expect("the maze has no P");
        let pellets_left = tiles
            .iter()
            .filter(|t| matches!(t, Tile::Pellet | Tile::Power))
            .count();
        let maze = Self {
            width,
            height,
            tiles,
            pacman_start,
            exit: (door.0, door.1 - 1),
            house: [
                (door.0 - 1, door.1 + 1),
                (door.0, door.1 + 1),
                (door.0 + 1, door.1 + 1),
            ],
            pellets_left,
        };
        for pos in maze.house {
            assert_eq!(maze.tile(pos), Tile::House, "no house tile at {pos:?}");
        }
        maze
    }

    /// The 27 x 8 maze.
    pub fn small() -> Self {
        Self::from_halves(&SMALL)
    }

    /// The 27 x 16 maze.
    pub fn large() -> Self {
        Self::from_halves(&LARGE)
    }

    /// The largest built-in maze that fits a `width` x `height` display, if any.
    pub fn for_display(width: u32, height: u32) -> Option<Self> {
        [Self::large(), Self::small()]
            .into_iter()
            .find(|m| m.pixel_width() <= width && m.pixel_height() <= height)
    }

    /// Width in tiles.
    pub fn width(&self) -> i32 {
        self.width
    }

    /// Height in tiles.
    pub fn height(&self) -> i32 {
        self.height
    }

    /// Width in pixels.
    pub fn pixel_width(&self) -> u32 {
        (self.width * TILE) as u32
    }

    /// Height in pixels.
    pub fn pixel_height(&self) -> u32 {
        (self.height * TILE) as u32
    }

    /// Where pacman starts.
    pub fn pacman_start(&self) -> TilePos {
        self.pacman_start
    }

    /// The tile above the door, where ghosts leave the house.
    pub fn exit(&self) -> TilePos {
        self.exit
    }

    /// The three house tiles below the door, left to right.
    pub fn house(&self) -> [TilePos; 3] {
        self.house
    }

    /// Pellets and power pellets not eaten yet.
    pub fn pellets_left(&self) -> usize {
        self.pellets_left
    }

    /// The tile at `pos`; outside the maze is wall.
    pub fn tile(&self, (x, y): TilePos) -> Tile {
        if x < 0 || y < 0 || x >= self.width || y >= self.height {
            Tile::Wall
        } else {
            self.tiles[(y * self.width + x) as usize]
        }
    }

    /// Whether `pos` is a wall tile inside the maze (outside counts as open, for drawing).
    pub fn is_wall(&self, (x, y): TilePos) -> bool {
        x >= 0 && y >= 0 && x < self.width && y < self.height && self.tile((x, y)) == Tile::Wall
    }

    /// Whether pacman (and a ghost outside the house) may enter `pos`.
    pub fn open_to_pacman(&self, pos: TilePos) -> bool {
        matches!(self.tile(pos), Tile::Empty | Tile::Pellet | Tile::Power)
    }

    /// Whether a ghost going through the door (leaving, or going home as eyes) may enter `pos`.
    pub fn open_to_door_ghost(&self, pos: TilePos) -> bool {
        self.tile(pos) != Tile::Wall
    }

    /// Eats what lies at `pos`: returns `Pellet` or `Power` when there was one.
    pub fn eat(&mut self, pos: TilePos) -> Option<Tile> {
        let tile = self.tile(pos);
        if matches!(tile, Tile::Pellet | Tile::Power) {
            self.tiles[(pos.1 * self.width + pos.0) as usize] = Tile::Empty;
            self.pellets_left -= 1;
            Some(tile)
        } else {
            None
        }
    }

    /// Steps from the nearest of `sources` to every tile, moving only through tiles where
    /// `open` holds (sources that are not open are left out); `u32::MAX` where none reaches.
    pub fn distances(
        &self,
        sources: impl IntoIterator<Item = TilePos>,
        open: impl Fn(&Self, TilePos) -> bool,
    ) -> Distances {
        let mut steps = vec![u32::MAX; self.tiles.len()];
        let mut queue = VecDeque::new();
        for pos in sources {
            if open(self, pos) && steps[self.index(pos)] == u32::MAX {
                steps[self.index(pos)] = 0;
                queue.push_back(pos);
            }
        }
        while let Some((x, y)) = queue.pop_front() {
            let next_steps = steps[self.index((x, y))] + 1;
            for next in [(x, y - 1), (x - 1, y), (x, y + 1), (x + 1, y)] {
                if open(self, next) && steps[self.index(next)] == u32::MAX {
                    steps[self.index(next)] = next_steps;
                    queue.push_back(next);
                }
            }
        }
        Distances {
            width: self.width,
            height: self.height,
            steps,
        }
    }

    fn index(&self, (x, y): TilePos) -> usize {
        (y * self.width + x) as usize
    }
}

/// Steps to the nearest source, per tile (see [`Maze::distances`]).
#[derive(Clone, Debug)]
pub struct Distances {
    width: i32,
    height: i32,
    steps: Vec<u32>,
}

impl Distances {
    /// Steps from `pos` to the nearest source; `u32::MAX` when unreachable or outside the maze.
    pub fn at(&self, (x, y): TilePos) -> u32 {
        if x < 0 || y < 0 || x >= self.width || y >= self.height {
            u32::MAX
        } else {
            self.steps[(y * self.width + x) as usize]
        }
    }
}
