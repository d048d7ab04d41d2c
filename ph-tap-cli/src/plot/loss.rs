//! What a chart shades: the ranges of a stream where values were lost, by kind.

use plotters::style::RGBColor;

/// Why values are missing in a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LossKind {
    /// The target's ring overwrote values before they were drained (`ring_drop`).
    RingDrop,
    /// The target's queue refused values (`refused`).
    Refused,
    /// Frames lost on the link (`link_loss`).
    LinkLoss,
    /// The target reset: what it had not sent yet is gone (`target_reset`).
    Reset,
    /// A frame arrived damaged (`corrupt_frame`); drawn over arrival time only, since a
    /// damaged frame has no sequence number (the values it carried show as the link loss that
    /// follows it).
    Corrupt,
}

impl LossKind {
    /// Every kind, in the order the legend lists them.
    pub const ALL: [LossKind; 5] = [
        Self::RingDrop,
        Self::Refused,
        Self::LinkLoss,
        Self::Reset,
        Self::Corrupt,
    ];

    /// The kind's name in the chart's legend and labels.
    ///
    /// ```
    /// use ph_tap::plot::LossKind;
    /// assert_eq!(LossKind::LinkLoss.label(), "link loss");
    /// ```
    pub fn label(self) -> &'static str {
        match self {
            Self::RingDrop => "ring drop",
            Self::Refused => "refused",
            Self::LinkLoss => "link loss",
            Self::Reset => "reset",
            Self::Corrupt => "corrupt frame",
        }
    }

    /// The colour its ranges are shaded in (lightened in the chart).
    pub fn color(self) -> RGBColor {
        match self {
            Self::RingDrop => RGBColor(0xE6, 0x7E, 0x00),
            Self::Refused => RGBColor(0x8E, 0x44, 0xAD),
            Self::LinkLoss => RGBColor(0xD6, 0x27, 0x28),
            Self::Reset => RGBColor(0x40, 0x40, 0x40),
            Self::Corrupt => RGBColor(0xC2, 0x18, 0x5B),
        }
    }
}

/// One range a chart shades, in x units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Loss {
    /// Why.
    pub kind: LossKind,
    /// Where it starts.
    pub from: f64,
    /// Where it ends (`from` for a point, such as a reset: drawn a few pixels wide).
    pub to: f64,
    /// How many values were lost, when the event says.
    pub count: Option<u32>,
}

impl Loss {
    /// The text of its label: the kind, and the count when there is one (`link loss 2`).
    ///
    /// ```
    /// use ph_tap::plot::{Loss, LossKind};
    /// let loss = Loss { kind: LossKind::RingDrop, from: 13.5, to: 45.5, count: Some(32) };
    /// assert_eq!(loss.label(), "ring drop 32");
    /// ```
    pub fn label(&self) -> String {
        match self.count {
            Some(count) => format!("{} {count}", self.kind.label()),
            None => self.kind.label().to_owned(),
        }
    }
}
