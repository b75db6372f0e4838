"""Lesson 07 answers for :func:`iaptlab.exercises.check` (reconciling 50% and 10%).

Entries made with ``python -m iaptlab.exercises add`` (or ``make_entry``); numbers are obfuscated
and choices hashed (see the exercises module). Where each answer comes from, without the answer:

* ``07.shapley_by_hand``: the two-player Shapley value (average of a player's marginal effect
  over both orders) applied to the four fictional coalition gaps printed in the prompt;
  tolerance 0.05 points for rounding.
* ``07.both_true``: the scenarios in ``iaptlab.explorers.reconcile_gap.SCENARIOS`` whose
  simulated recovery (IAPT rule) and loss of diagnosis (interviewed sample) both fall inside the
  bands stated in the prompt, computed with ``scenario_rates`` on the lesson's seed; the tests
  recompute both rates for every scenario and check each is at least 1.5 points inside or outside
  its band.
* ``07.rob_iapt`` and ``07.rob_critic``: judgements on RoB 2 domain 4 (Sterne et al. 2019; the
  questions in ``iaptlab.explorers.fair_evaluation``) for IAPT's routine questionnaire outcome
  (nhsd_guide_v21, clark_2018; the critic's description of questionnaires completed with the
  therapist present, scott_2021_blog) and for Scott (2018) as reported on his blog (scott_2018,
  scott_2021_blog [S]). Where the judgement is open (4.1, 4.5, and "probably" versus a firm answer)
  several answers are accepted; the reasons are in the lesson's instructor notes.
* ``07.fair_design``: the design features in ``fair_evaluation.DESIGN_OPTIONS`` that remove a
  bias found in the lesson (blind standardised assessment, a comparison group, follow-up,
  pre-registration, meaning to service users as Boyce et al. 2021 ask (as reported by Scott),
  counting everyone); the others add one.
"""

from __future__ import annotations

from typing import Any

ANSWERS: dict[str, dict[str, Any]] = {
    "07.shapley_by_hand": {
        "kind": "number",
        "salt": "050f9ec69550cef6",
        "hint": "Average mechanism A's marginal effect over the two orders: switched on "
                "first (gap with only A minus gap with neither) and switched on second "
                "(gap with both minus gap with only B).",
        "secret": "9ea64b83f7e03c26",
        "unit": "plain",
        "tolerance": 0.05,
    },
    "07.both_true": {
        "kind": "set",
        "salt": "a5ffdba50ad1c945",
        "hint": "Compute both rates for every scenario (reconcile_gap.scenario_rates) and"
                " keep each one whose recovery is between 45% and 55% AND whose loss of "
                "diagnosis is between 5% and 15%. More than one scenario qualifies, and "
                "they do not share one story.",
        "hashes": [
            "fd0ffdc566c6b08aafbdb0505b405749896283045cacd40b1b059d595483bf3f",
        ],
    },
    "07.rob_iapt": {
        "kind": "choice",
        "salt": "c9738d7490c1c810",
        "hint": "Who rates IAPT's outcome? The client, on a questionnaire. Does the "
                "client know they were treated? Where are the first and the last "
                "questionnaires completed, and with whom? For 4.1 ask whether the "
                "questionnaires measure severity of depression and anxiety validly at one"
                " time (RoB 2: most pre-specified outcomes get N or PN), and for 4.5 "
                "whether there is evidence either way.",
        "hashes": [
            "0194c8a36649097ae815aab0c521b71066c09507788302eac678c31f10ae116c",
            "01a3864111a183a43237f6ecbae8307ce95914404daf59b5912f3afaaad9584b",
            "0568ce53cc88a99312a698f01194b1cd664cc8165a1a791ea38c9c71ff243d15",
            "0913390c28c98d201db08edf02b50f39191f0408d5a0bc0d80ad27675eb50619",
            "0d2086441ce7dd73cc0457a37229f77b98cb2e4458a5b8513359f70f3146ff9f",
            "0d7f997ebd69570f64318df3a6484d926d96907ac74ca4de17c792c083c6cdd1",
            "17b423aa2a9b48757c9367df387906dbd7a96e1ccab0f44c93dcf186975d1aab",
            "22f153812a5099888450b6cd597cd1250151c62917d7a8e64aa962ca59ae173a",
            "26778ff03ef01b93b3c546446eee44d23b7b7471543dba0bd7ee9c80d578d80c",
            "272ce43e6ec29c2c0e6375cfd642099a6971632a276f5d77dfe44c1fa0591ce2",
            "2756398b1f5952248a2f0b3e4dc59fcf16981aaa569f5ed83e149299b364249e",
            "28f844f9c8aef80c28d0232c2555016aa74a9f2c55fb0919a683759c70710e66",
            "29196c65003e5fcf7668741f2d1566742edc3389e27fd0c114a06fed111a86fa",
            "2ef85b9b47430602ad16574cfa374cf774eb9d0128d8f3b0aaaed697c5633ad8",
            "30d58eb48b304e5aea1e1cfacb407ee4f346031d9e7485eeb767f1c34c688556",
            "365c05d943545c2d0dfcd08648ba6a89532b8ac7018ed65361120f5a8c22841c",
            "37fc65a244dee85910a0e5d0ae93103196dfc56c7fd74138751ece5a33a562cf",
            "3a7a3a3a2500d72726f9ef85ed9283aa4d72c6ff4b0695d9fa0422eb7f672503",
            "3c1d0c8d1b3619ca5b1ce4a191e313be655fa82d2076263ecd8b0415079cf801",
            "3cac0a3235e041b7da009db1e68f8158f2a69890211708030ce0a46955e54e3a",
            "3d1d47620365370451520f68d696d241a6e69c0461756a1c007ca9411666b9b1",
            "3d4bedab34117f8009aee4ab8c259dc511b0eb87ae44baaaa31c0e361ddb7a89",
            "3e31f6f0aaa5909969f14e349ab76a5998e3223f4cf24d4e7a5adfe28cf3ded2",
            "4484892002ef8918b782837aa62d0ebb9b71acf6c36c71ce22bef59e579daa93",
            "4aada1fd1214e76005047f3482ac3d882ab3f635f130b07584de07b014389f47",
            "4f027bf9654d98e72e2b1a598eaa87ef0026cf89c7b6facf4b460f933c501362",
            "53edb8191144304cf84c2f777696c067b7af5c42aab2e4415074d59f9375082b",
            "590743944ef107f0f52bf5307ca98adbb31f5cde707de48b9d12fb7063931811",
            "5ba56dd7a1af664ac206bca4eef9c4bb89741b27f9f503d48ed60124e7373fe1",
            "5f5cad52674b1c36e0a861f4ba03c8a53c83f33c79c4890d0b59639e7bb6f72e",
            "666d2ab808856f3f6fceccbd8234b72740763299235ba2e80a20d6eb7f8f2c1b",
            "696a0d3348c4d982c8ace0b74ce1a54d3d1e33af71a06da9151d495cdc54b392",
            "7b905f3627d785155561f97bc1e01dee15e6b03c68c511b536f24a48e50f84d9",
            "84b1392d21f380b54ee97817fdd1b184d3cfa88e974c567181d698fbfeba8656",
            "862a7d3addaee4cee984e48c91ffd348128c81a6ac13b9102ad60ec765005cdc",
            "87df50a3324c0c71223aa5eb40de68220d1c67823a705af9d587ecbaaab32f65",
            "8ae2f1893bc3123982bc6d5efafc460b6709f52866190dabc9f833a57747b786",
            "8c2428b532ce29a7012eaa10599052af1e76bfe22dbfa68ea36efd3574c398cc",
            "8e27c1b7683d2c10b6f547a0e5c8c5f74fe926938afbb00ed5b4e28a00f79207",
            "8f7d08e22fd50e9d05c3767b1a8b8718d0ac439ffff92952fe9882bc157626d9",
            "907b77494703bedfa74de3859bfa5b630f813a11ed11300cd99a559d7635b6a5",
            "942e831248de10fb3500f4834b5ce4824f19f97968c704a4afe971212df08fe5",
            "9d0ac8f73b5b6a71b4d0b532719bb4284ba6129dc71317990248b24a656ccf95",
            "9eb60a7b5b11f38dfc8bb21e6d58b4b3a0b550284ac4d9e587d8eaf1c5fadcda",
            "a5ca176253436bb600088846a113d6779bdc545101d6b7e8453e08e987364e3e",
            "a885d37109af58ef873a74197f590bb25aab42997090356a5f40f4dbdd5778b5",
            "aa1aebdeab16327adbc1bfaddcd3f7e3bbbaa6e423265e60012f2da36a5f3c8a",
            "ab67fbfa5b1cff94d8cae7428cbab861307107532940fa73b3be1f6837fd1c1c",
            "ad8755238c29f40b7f5b2beb23a71372e86704fa73bcd575e9a38f5aed8939f2",
            "af0d2e6616817899cd4ea682dfeb50575dd0b69902416fa7c2575a1bd20accd5",
            "b09bd86d3cbeb7a34a472cf91ad4714908b840e9a424ecde758efe5403d8ce81",
            "b2838394e04356fb2b3687f056fe04a22b121291e0060ebc3e7373b6921156dc",
            "b967068ba199574bcf54220d970ccbaea3e7f0ed5e9ef333182805cdc4c88eef",
            "ba11295ffa1cbdc48dd0e0a514aeb116ba9284740b9f5a2f9daa183b1fcf7afc",
            "bf178ef6e086c3c0f62d5cb0a838d98a44e54793eccd46678e58e3e528c6654a",
            "c1572bf6a2ed9f48efcaa361dbcb810f87fa9bd995186fe95a900e5989694fd0",
            "c6b12f288166c6bdc890d1e37a3d9fa928acc32514687123a163e99008708753",
            "c8c87595c0a7d6f48684c1cf29019efc6b49385a131bed71a27483800d72495c",
            "cd21ebbad63153dc1529dd248ed97688dae5c22c94e757d204d39a73cc4df003",
            "d4719922df2daf1636d580c50d2155033d95f66e62b1db25759ffc723fc745b5",
            "d5ac984926f4de78451b674a172bd43ae6741936d6256f06860a7a7a3cab6971",
            "d8144fbd0a64d03f3e9c7575b03e84ac3c2442d48775d0e934a5d27cd0658548",
            "de36f3f5dea0a12ec0f55fa8983f2d9d466dcf58f233223bf03293f95f007da3",
            "ea222a619dfaf0602b276a89f229abb894d9b10abc93290ca6638460afaefd85",
            "ea5bd950ae95a915cd1ef18353809520a4a6a0dbd7f757791f59da2fc4184a72",
            "ed0f0f5a8757fcdf96f5e683362353999b55a923e432fff33aec32b34fb61e0b",
            "ee38455122a36b75d98bbcba89176ed93932b8765bd2385c7dd79d66f280f910",
            "f4d02c26e8ced96c3f9e9eaf9f6a51526a9ebe783cc30acd42b8ff4c2cd5f12b",
            "fa287b7b4bb5f8bcf93864e3f519c33ae92c30b37f1912ee6800ac1231c351a4",
            "fcd8c039451a0b3f41be8aed174cd5c6d6e7588559f6fbbd4bee1e76760392d0",
            "fe15009478e7a50bb7014f1f3c88da2033f3196e15b041d8e15df95d0a27d2a4",
            "fe3ecc15bb2cd1c04dd05dc2f183684b466979b93e54f4cd2bd2e73884a25660",
        ],
    },
    "07.rob_critic": {
        "kind": "choice",
        "salt": "7d2d66d1af2a2b92",
        "hint": "Who assessed the 90 people, knowing what about them, and why (an expert "
                "witness in litigation)? Was there an interview before treatment in the "
                "same metric, and is the figure compared with one measured the same way? "
                "For 4.1, is a standardised diagnostic interview a suitable way to "
                "measure loss of diagnosis, and what do we know about which one was used?",
        "hashes": [
            "00f84a5cd28ca98c4401c77d73939c211373dd51679c5ec20429d413db5e2e81",
            "02484506e17238623d81916fcb48fd271b27a91359c3d8d58e9122ff28833c8f",
            "03b00123d55716e74c958058d5fad3b3d7283019325226761f658b6cafd9ad27",
            "0f6676da63f1d75e4c520e2ce616c87b2cbb2757ff77dedc9e3ce26d8236bb87",
            "0fa1872bc23358886c170d4fdf28363da7d1135dd330369733e5e6419627da3e",
            "1413f0a7125ded01b3dacc6e78b73586387ba8e2535f29fbf94ec62a8c558ffc",
            "16d1b54d9255883cec0a376fe932bde4b68d1c41d364bdfa87b1498b570d01cb",
            "2170c2a35bf98dc20dc41790bce4914cc738247220aa2b7b1d7e13070dc0ac0f",
            "22380aa7bf7c78cdba803eab9c6fd2e38c65e3ccd70b24f80196a460074930fa",
            "2cf9b3e76449c33226c83043472909bb28fe5275e240d13ed82fe50f529b82cf",
            "2f84c427fff6789b3360c5aa4267e1e882270d5c371d13462a96aa7aa87d527d",
            "33ac396af112f0caf078663d5ae20e4cfd12323c019d578a912a6e51c01b4d54",
            "3cbe37e8d58ff8e852f107f72fdcd21ad5e27e0005125f260972e2255af176e3",
            "40b1aeb683c8fe2ed238954e552e984edb31022ecf9750ba1d3d4584d467179b",
            "4147d8ce841e17d3ac6d29e16987851a5911a1fc7dd5313e747495f4df3a2bfe",
            "416a49e89e834ca116c895027ab3d93c74aa0801776ceaebdcf4c13f638c7f61",
            "473c456edfa76079d63bcdb9a76a66ae8983df7159b02d0d93b59fca61cc3292",
            "4b11de55054f5df212bab8db9811781de3353318a6dd7088993e260e3c01eba9",
            "4e75fb117b9937b70c67621347206319d37e0adc8374e5825ec1fc23f34b9382",
            "57276a6f08520c421dc932ff50850a5825d291ef76f1e52e94cc2d3e2db1dbf7",
            "623c035c1ba9d566d39881a70bddf59e75829a46dbd3b9d01cc0b8f941eb50e3",
            "694d71764921e871f52334fa9ed9580fef32b2d707f663ff8fece41d34e4bddd",
            "698b05c3723b65c334926dec31ddbbf0f090c9a23104278f21bb397b05a4c500",
            "6dfbb08efc1d153167b9038980c6068a551258c51a286b7abeccd67244a8b245",
            "7185da27c9afffd92b3aed940add1d427acf6ef254960c811ecc276ea6c4b23d",
            "718786a32a80820354aa033e4b5abaff1c388eaae073c61f233b370b4a98d0b2",
            "73dbb686d9ecec23d00d5ffafcf626a225e2b3cc415742159b3c3885141a6934",
            "76a5a3d920bb58680ba98b27d29394426867867f2d0ca702f2f2977d39b4fc20",
            "79fcc2387d494dc274920ec33ebd8b4f186d25e1228cc2f2772049eb4a63cbfe",
            "7b5a8d8630e4b3a96fd9a9a2969a1c36b19bb6d97d2eb7f3bf8032ae8d8c633f",
            "7bfd57001df3c700343510b4beea023d281f3dffef7223517c606c7c14026693",
            "7bfe261c7006c20b9f1f0994e231b8f8b550540fcdda427a51f98d7201e514cb",
            "879821def00bc0210a8fc18c1efdc08807b6a30181f34f2a4a8443e4d3d47fd7",
            "899b9718e84130a9d62ed0a8b93f175d7b3a315c56466f049db176439912bac7",
            "8aa210f7c885584a84e31bf8d8aef8694cccc199d12407de4e3a70a63623f362",
            "90620c498c64dced2efbdf0db21c78c9fd199d0d48e3eecdac306ff175adca68",
            "91284b5b12ee8f228d573b57e37089e4d9f5e798426ca3f5b3b1a1393da9bb41",
            "92fa0ad8f39a009d68832560ab53f18ff7ca8ccc1c179719da87cbeb4a41e4f6",
            "93608f57b398d22a789131792965d9cf5237bc84a27051fffeebd9c52835a2ef",
            "979f876fce1c835d4ca5350573ba7c7a58a5e044ed729ab643f9100191392147",
            "aebd5343a315c32c4fa79bf5a6f17b28056f8783a64aead899cfe03de2efa4c5",
            "afabcf99df59b8be41c4d4eb845d2b12c115683702b40b0eaf4d9f93d1998463",
            "b3af77c021bd3ceba694bc82e9934a285cd578166bcecd0dc1cd115104a1d5c2",
            "b5378d5a35d491f00269cbafbfa373b708eec0b1cda7c3f1a1f02bbc01301094",
            "b5979d0ccb9ceb6701ca8c4b823ecce10e857507f27b2c2c76f1876e434c8ef6",
            "b6dbbdd78d8ca35d1438f4ba38fa62573bf0a869cb61acd4610f77a49a26cc96",
            "b847484ae059acb021256c5cde94b5d18d17e98b218ab4337a65f7b1249fbd47",
            "baeb0fe022d3b4f9074319d7a13237a28f601a14a8d03e9d1cb88794c68965ba",
            "bb5815d89f00820cecac8610fd2aed022ffd35b33a146b7ace74f764fc0bc268",
            "c0b9ae1f99d84bb2c05116bcdba4b5bc94841fcdfa35db1fdc11866887ac6384",
            "c102f64812a32a66906dcfdf2672f9f1627f20699c2ce8eda04146a9e4190c43",
            "c1f2faed5405fe5591cb00bf484618e37b24e84e982ca89c97ff22bf88b1da51",
            "ca9f1f8af462881c420e74488816b77c59a95ab9a2e2b1c1ab91d4f802ff76c7",
            "cbed217ad83a03b75318edc904761843a8e2c9cf86fd686bb0217b61521d5968",
            "cc8dc603a25fcaff85424dd0e86322e10b4d35ede256509c23fa64e170262d98",
            "d3f19351dea55f673394a2980a4937ee0382d9633cf0e48eb6a0c2de12f27ce2",
            "d42eae691a3768d1c5fcc35e10afacf752261f8416b521c70d6b03913e65eaaf",
            "db113f3ca0ddd228d2e678b05d1ce1092098cca12ebe6247ddbc613a5d873b9e",
            "dbc3c6242a8c47d4f3f34981851358fab998be71253008e64b65bd7028e3349d",
            "deca6a5d65e05c10017e73db164d10b35fdd8afeaff42e70e2e74c04ca4c29d2",
            "df52e1a03467de8a23141ef1cf386d0c92a781e8dca0f1c2e50c9431db0af7eb",
            "e11a1b7802eb70b3c63072602609921a68d44a711790a0c08f24f8f672b2a0f2",
            "e8b32834b685382599f341c5888b362ebb1583d3f1b84fb868d76f4d5fcbef2d",
            "ea29dae0fccd220932bd5a1f77215b2ec9ecd17018abfaf8b6a9bbc3fde4c79b",
            "ea67311057a0d66e7600eb11b5dfed5bc7e40a55f36a12cc6943ab6dd265a2ad",
            "f041505c83f572d93f15d19611efe10d8abc7054a0af77bdc739375fd898439d",
            "f0db0d30100600504a5ed169e93096de3705f8d5b82c5baa644a3d78640b0187",
            "f189caa72866e35fca7c3d9c1a3afedd24e07656f1d5bf1ab323c36483165a7a",
            "f41c9d66d60ed018734f14caecc8c7373f4bfe102a4c6a0eb6ecf6120db0de03",
            "f4832d9d8017c5dd8e4500dc1bbabefc1fa29160f8b39efce5e7632c26768fbf",
            "f76d7999a704701be0122bf50bfc68857410a193243abbe59930104d7ad5f797",
            "fc3692c676a7f241a37324996f2c712a7ef9cc69dc6cbfff53ee0ebf9ed886d4",
        ],
    },
    "07.fair_design": {
        "kind": "set",
        "salt": "01f00d99703be9c3",
        "hint": "Keep every feature that removes one of the biases this lesson found on "
                "either side (who rates, knowing what; no comparison; timing; choosing "
                "the outcome after the fact; what a change means; who is counted) and "
                "drop every feature that adds one.",
        "hashes": [
            "925c514c6a262a6ce307c109e66453d31a4bcf70456f17732c741fdd9b7f356b",
        ],
    },
}
