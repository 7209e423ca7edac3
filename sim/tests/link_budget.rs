//! The cell of a 38.901 drop (`link_budget::cell_from_drop`): its per-user figures are
//! consistent with each other and with the channel the cell simulates.

use massive_mimo::C32;
use massive_mimo::array::PanelArray;
use massive_mimo_sim::cell::{CellScenario, ChannelKind};
use massive_mimo_sim::channel::stochastic::{DropConfig, Scenario, Site, drop_users};
use massive_mimo_sim::channel::{ChannelModel, ClusterChannel};
use massive_mimo_sim::link_budget::{DropSetup, LinkBudget, cell_from_drop};
use ndarray::Array3;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A UMa sector drop of 8 users at 2.6 GHz through an 8 × 4 cross-polarised panel.
fn drop_cell(interference: bool) -> (DropSetup, massive_mimo_sim::link_budget::DropCell) {
    let site = Site::new(Scenario::UMa, 2.6);
    let setup = DropSetup {
        site,
        array: PanelArray::cross_polarized(8, 4).unwrap(),
        array_design_hz: 2.6e9,
        budget: LinkBudget::macro_cell(46.0, 1200, 15e3),
        interference,
        ul_interference: interference,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let users = drop_users(&mut rng, &site, &DropConfig::sector(Scenario::UMa, 8)).unwrap();
    let mut base = CellScenario::reference(8);
    base.seed = 99;
    let cell = cell_from_drop(&mut rng, &setup, &users, &base).unwrap();
    (setup, cell)
}

/// The budget's element gains are those of the rays the cell simulates: a `ClusterChannel` of
/// the drop's profiles with the cell's own ray seed has exactly those gains, and the cell's
/// channel is that channel with each user scaled by its relative gain.
#[test]
fn element_gains_are_those_of_the_simulated_rays() {
    let (setup, cell) = drop_cell(false);
    let sc = &cell.scenario;
    let ChannelKind::Clusters(profiles) = &sc.channel else {
        panic!("a drop's cell simulates its cluster profiles");
    };
    let seed = sc.channel_rng().r#gen();
    let rays = ClusterChannel::new(
        setup.array,
        setup.array_design_hz,
        &sc.users,
        profiles,
        seed,
    )
    .unwrap();
    for (u, b) in cell.users.iter().enumerate() {
        assert_eq!(rays.element_gain_db(u), Some(b.element_gain_db), "user {u}");
    }
    let simulated = sc
        .build_channel(&setup.array, setup.array_design_hz)
        .unwrap();
    let freqs = [2.6e9 - 5e6, 2.6e9, 2.6e9 + 5e6];
    let (n_u, n_a) = (sc.users.len(), setup.array.len());
    let mut a = Array3::<C32>::zeros((n_u, freqs.len(), n_a));
    let mut b = a.clone();
    rays.frequency_response(0.0, &freqs, a.view_mut()).unwrap();
    simulated
        .frequency_response(0.0, &freqs, b.view_mut())
        .unwrap();
    for u in 0..n_u {
        let g = 10f32.powf(sc.user_gain_db[u] as f32 / 20.0);
        for (x, y) in a
            .slice(ndarray::s![u, .., ..])
            .iter()
            .zip(b.slice(ndarray::s![u, .., ..]))
        {
            // f32 responses, one scaling: a few ulps of the entry's size.
            assert!(
                (*x * g - *y).norm() <= 1e-5 * (x.norm() * g).max(1e-30),
                "user {u}"
            );
        }
    }
}

/// Per user: the downlink SNR is the scenario's (the median user's) plus the user's relative
/// gain; the median relative gain is 0 dB; coupling loss = path loss + shadow fading + O2I loss.
#[test]
fn per_user_budgets_add_up() {
    let (_, cell) = drop_cell(true);
    let sc = &cell.scenario;
    let mut gains = sc.user_gain_db.clone();
    gains.sort_by(f64::total_cmp);
    assert_eq!(gains[gains.len() / 2], 0.0);
    for (u, b) in cell.users.iter().enumerate() {
        let d = b.dl_snr_db - (sc.dl_snr_db + sc.user_gain_db[u]);
        assert!(d.abs() < 1e-9, "user {u}: {d} dB");
        let l = &b.link;
        let cl = l.pathloss_db + l.large_scale.shadow_fading_db + l.o2i_loss_db;
        assert!((b.coupling_loss_db - cl).abs() < 1e-9, "user {u}");
        assert!(b.dl_inr_db.is_finite(), "user {u}: interference on");
        assert_eq!(sc.dl_interference_db[u], b.dl_inr_db);
    }
}

/// Uplink interference over thermal: 0 dB without interference; with it, the cell's uplink SNR
/// drops by exactly the IoT (the links and the reference gain are drawn first, unchanged), and
/// the interference power scales at most linearly with the neighbours' power-control target
/// (10 dB lower target → between 1× and 10× less interference: only users capped at full power
/// fall short of the full factor).
#[test]
fn uplink_interference_over_thermal_follows_the_neighbours_power_control() {
    let (_, quiet) = drop_cell(false);
    assert_eq!(quiet.ul_iot_db, 0.0);
    let (_, loud) = drop_cell(true);
    assert!(
        loud.ul_iot_db > 0.0 && loud.ul_iot_db.is_finite(),
        "{}",
        loud.ul_iot_db
    );
    assert_eq!(loud.reference_gain_db, quiet.reference_gain_db);
    let d = quiet.scenario.ul_snr_db - loud.scenario.ul_snr_db - loud.ul_iot_db;
    assert!(d.abs() < 1e-9, "{d}");
    let with_target = |t: f64| {
        let site = Site::new(Scenario::UMa, 2.6);
        let setup = DropSetup {
            site,
            array: PanelArray::cross_polarized(8, 4).unwrap(),
            array_design_hz: 2.6e9,
            budget: LinkBudget {
                ul_target_snr_db: Some(t),
                ..LinkBudget::macro_cell(46.0, 1200, 15e3)
            },
            interference: true,
            ul_interference: true,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let users = drop_users(&mut rng, &site, &DropConfig::sector(Scenario::UMa, 8)).unwrap();
        let mut base = CellScenario::reference(8);
        base.seed = 99;
        let iot = cell_from_drop(&mut rng, &setup, &users, &base)
            .unwrap()
            .ul_iot_db;
        10f64.powf(iot / 10.0) - 1.0 // I/N
    };
    let ratio = with_target(10.0) / with_target(0.0);
    assert!(ratio > 1.0 && ratio <= 10.0 * (1.0 + 1e-9), "{ratio}");
}
