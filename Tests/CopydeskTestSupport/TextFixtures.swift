/// Real wire text for dedup tests: the body of a Reuters-21578 story (the Bahia cocoa review, 1987), which its
/// update and correction tests re-send with changes.
public enum TextFixtures {
    public static let bahiaCocoa = [
        "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought since early January "
            + "and improving prospects for the coming temporao, although normal humidity levels have not been "
            + "restored, Comissaria Smith said in its weekly review.",
        "The dry period means the temporao will be late this year. Arrivals for the week ended February 22 were "
            + "155,221 bags of 60 kilos making a cumulative total for the season of 5.93 mln against 5.81 at the "
            + "same stage last year.",
        "Again it seems that cocoa delivered earlier on consignment was included in the arrivals figures. "
            + "Comissaria Smith said there is still some doubt as to how much old crop cocoa is still available "
            + "as harvesting has practically come to an end.",
    ]
}
