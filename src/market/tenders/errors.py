"""Expected failures of coalitions and tenders, named as facts."""

from __future__ import annotations

from market.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound

# -- coalitions ---------------------------------------------------------------------------


class CoalitionNotFound(NotFound):
    reason = "CoalitionNotFound"
    message = "No coalition with this id exists."


class NotProcurementOfficer(Forbidden):
    reason = "NotProcurementOfficer"
    message = "Only a municipality's procurement officers may do this."


class MunicipalityRequired(InvalidInput):
    reason = "MunicipalityRequired"
    message = "You are a procurement officer of several municipalities: choose one."


class NotCoalitionLead(Forbidden):
    reason = "NotCoalitionLead"
    message = "Only the procurement officers of the coalition's lead municipality may do this."


class NotAMunicipality(InvalidInput):
    reason = "NotAMunicipality"
    message = "Only municipality organisations can be members of a coalition."


class AlreadyInCoalition(Conflict):
    reason = "AlreadyInCoalition"
    message = "This municipality is already a member of the coalition, or invited to it."


class NoPendingInvitation(Conflict):
    reason = "NoPendingInvitation"
    message = "This municipality has no open invitation to the coalition."


# -- tenders ------------------------------------------------------------------------------


class TenderNotFound(NotFound):
    reason = "TenderNotFound"
    message = "No tender with this id exists."


class TenderNotDraft(Conflict):
    reason = "TenderNotDraft"
    message = (
        "This tender is no longer a draft: after publication it changes only by a versioned "
        "correction sent to every party."
    )


class TransitionNotAllowed(Conflict):
    reason = "TransitionNotAllowed"
    message = "A {kind} cannot go from {current} to {target}."


class LotsRequired(InvalidInput):
    reason = "LotsRequired"
    message = "A tender has at least one lot."


class LevelRequired(InvalidInput):
    reason = "LevelRequired"
    message = "A B1- or Z-route lot has a target level."


class LevelNotAllowed(InvalidInput):
    reason = "LevelNotAllowed"
    message = "An Onderwijsroute lot has a stream (MBO, HBO or WO), not a level."


class UnknownRegionCode(InvalidInput):
    reason = "UnknownRegionCode"
    message = "{code} is no labour-market region code (AM01 to AM35)."


class VolumeForNonMember(InvalidInput):
    reason = "VolumeForNonMember"
    message = "Only the coalition's member municipalities have estimated volumes."


class NegativeFigure(InvalidInput):
    reason = "NegativeFigure"
    message = "Must be zero or more."


class FigureNotPositive(InvalidInput):
    reason = "FigureNotPositive"
    message = "Must be more than zero."


class RequirementAmountRequired(InvalidInput):
    reason = "RequirementAmountRequired"
    message = "A {kind} requirement states its number."


class RequirementAmountNotExpected(InvalidInput):
    reason = "RequirementAmountNotExpected"
    message = "A {kind} requirement has no number."


class RequirementTextNotExpected(InvalidInput):
    reason = "RequirementTextNotExpected"
    message = "Only a CUSTOM requirement has a text of its own."


class CriteriaRequired(InvalidInput):
    reason = "CriteriaRequired"
    message = "A tender has at least one quality criterion."


class CriteriaWeightsNotWhole(InvalidInput):
    reason = "CriteriaWeightsNotWhole"
    message = (
        "The quality criteria's weights add up to {total} basis points; they must add up "
        "to 10000 (100%)."
    )


class AwardWeightsRequired(InvalidInput):
    reason = "AwardWeightsRequired"
    message = "The {method} method weighs quality against price: give both weights."


class AwardWeightsNotExpected(InvalidInput):
    reason = "AwardWeightsNotExpected"
    message = "The {method} method has no quality and price weights."


class AwardWeightsNotWhole(InvalidInput):
    reason = "AwardWeightsNotWhole"
    message = (
        "The quality and price weights add up to {total} basis points; they must add up "
        "to 10000 (100%)."
    )


class PriceBoundsRequired(InvalidInput):
    reason = "PriceBoundsRequired"
    message = "The LINEAR_PRICE method scores between published bounds: give both."


class PriceBoundsNotExpected(InvalidInput):
    reason = "PriceBoundsNotExpected"
    message = "Only the LINEAR_PRICE method has price bounds."


class PriceBoundsInverted(InvalidInput):
    reason = "PriceBoundsInverted"
    message = "The lowest price bound must be below the highest."


class CriterionValueRequired(InvalidInput):
    reason = "CriterionValueRequired"
    message = "Under the QUALITY_VALUE method every quality criterion states its value."


class CriterionValueNotExpected(InvalidInput):
    reason = "CriterionValueNotExpected"
    message = "Only under the QUALITY_VALUE method does a quality criterion have a value."


class TimeWithoutZone(InvalidInput):
    reason = "TimeWithoutZone"
    message = "Give the time with its UTC offset, e.g. 2027-03-01T12:00:00+01:00."


class TimelineOutOfOrder(InvalidInput):
    reason = "TimelineOutOfOrder"
    message = "Must come after {after}."


# -- what publication checks ----------------------------------------------------------------


class AnswersTooLate(InvalidInput):
    reason = "AnswersTooLate"
    message = (
        "Answers go to every party at least {days} days before the bid deadline: close "
        "the questions by {latest}."
    )


class MaximumValueRequired(InvalidInput):
    reason = "MaximumValueRequired"
    message = "A framework without a stated maximum is unlawful: give each lot its maximum value."


class LatestEndDateRequired(InvalidInput):
    reason = "LatestEndDateRequired"
    message = "Give the contract's latest end date, extensions included."


class LatestEndDateTooEarly(InvalidInput):
    reason = "LatestEndDateTooEarly"
    message = (
        "The initial term with every extension runs to {earliest}: the latest end date "
        "cannot be earlier."
    )


class DeadlineInPast(InvalidInput):
    reason = "DeadlineInPast"
    message = "The bid deadline has already passed."


# -- what scoring checks --------------------------------------------------------------------


class QualityScoresMismatch(InvalidInput):
    reason = "QualityScoresMismatch"
    message = "A bid has a quality score for each criterion of the tender, and for no other."


# -- open data (OCDS) -----------------------------------------------------------------------


class SinceNotRfc3339(InvalidInput):
    reason = "SinceNotRfc3339"
    message = (
        "`since` must be an RFC 3339 date and time with its offset, such as 2027-03-01T09:00:00Z."
    )


# -- bids and their opening -----------------------------------------------------------------
# While bids are sealed, an error about a bid never tells whether others exist: another
# provider's bid is answered exactly as a bid that does not exist.


class NotBidder(Forbidden):
    reason = "NotBidder"
    message = "Only the staff (owners and editors) of a provider organisation may bid."


class ProviderRequired(InvalidInput):
    reason = "ProviderRequired"
    message = "You are staff of several providers: choose the one you bid for."


class LotNotFound(NotFound):
    reason = "LotNotFound"
    message = "No lot with this id exists."


class BidNotFound(NotFound):
    reason = "BidNotFound"
    message = "No bid with this id exists."


class LotNotOpenForBids(Conflict):
    reason = "LotNotOpenForBids"
    message = "This lot takes no bids: its tender is not published, or the lot is closed."


class BidDeadlinePassed(Conflict):
    reason = "BidDeadlinePassed"
    message = "The bid deadline has passed: bids can no longer be submitted or withdrawn."


class BidNotLive(Conflict):
    reason = "BidNotLive"
    message = "This bid was already withdrawn or replaced by a later one."


class AnswerRequired(InvalidInput):
    reason = "AnswerRequired"
    message = "Answer every quality criterion: {criterion} has no answer."


class UnknownCriterion(InvalidInput):
    reason = "UnknownCriterion"
    message = "This is not one of the tender's quality criteria."


class NotAllowedToUpload(Forbidden):
    reason = "NotAllowedToUpload"
    message = (
        "Only the staff of a provider and the procurement officers of a municipality "
        "upload documents."
    )


class TooManyPendingUploads(Conflict):
    reason = "TooManyPendingUploads"
    message = (
        "You have {limit} uploads waiting to be attached: attach them, or wait a day until "
        "they are forgotten."
    )


class UploadInterrupted(Conflict):
    reason = "UploadInterrupted"
    message = "The upload was interrupted; send the document again."


class UploadNotFound(NotFound):
    reason = "UploadNotFound"
    message = (
        "No upload of yours waits under this id: it is unknown, already attached, or was "
        "left unattached for a day and forgotten."
    )


class TenderDocumentNotFound(NotFound):
    reason = "TenderDocumentNotFound"
    message = "No such document of a tender you can see."


class BidDeadlineNotPassed(Conflict):
    reason = "BidDeadlineNotPassed"
    message = "The bids can be opened only after the bid deadline."


class BidsAlreadyOpened(Conflict):
    reason = "BidsAlreadyOpened"
    message = "The bids of this tender have already been opened."


class OpeningNeedsSecondOfficer(Conflict):
    reason = "OpeningNeedsSecondOfficer"
    message = (
        "You requested this opening: another procurement officer of the lead municipality "
        "opens the bids (four eyes)."
    )


class BidsSealed(Conflict):
    reason = "BidsSealed"
    message = "The bids are sealed until two procurement officers of the lead have opened them."


# -- publication, cancellation, retries and the audit trail -------------------------------


class IdempotencyKeyReused(Conflict):
    reason = "IdempotencyKeyReused"
    message = "This idempotency key was already used for a different request: use a new key."


class AuditEntryNotFound(NotFound):
    reason = "AuditEntryNotFound"
    message = "The tender's audit trail has no entry with this number."


# -- questions and the nota van inlichtingen ------------------------------------------------


class NotAProvider(Forbidden):
    reason = "NotAProvider"
    message = "Only a provider's staff may ask questions on a tender."


class AskingProviderRequired(InvalidInput):
    reason = "AskingProviderRequired"
    message = "You are staff of several providers: choose the one you ask for."


class LotNotInTender(NotFound):
    reason = "LotNotInTender"
    message = "This tender has no such lot."


class QuestionsClosed(Conflict):
    reason = "QuestionsClosed"
    message = "Questions on this tender are closed: they could be asked until {deadline}."


class QuestionNotFound(NotFound):
    reason = "QuestionNotFound"
    message = "No question with this id exists."


class QuestionAlreadyAnswered(Conflict):
    reason = "QuestionAlreadyAnswered"
    message = "This question has been answered; a published answer does not change."


class AnswersWindowClosed(Conflict):
    reason = "AnswersWindowClosed"
    message = (
        "Answers reach every party at least {days} days before the bid deadline, so by "
        "{latest}: that has passed. Extend the bid deadline by a correction first."
    )


class NothingNewToPublish(Conflict):
    reason = "NothingNewToPublish"
    message = "Every answered question is already in a nota van inlichtingen."


class TenderClosed(Conflict):
    reason = "TenderClosed"
    message = "This tender is {state}: the time for questions and answers is over."


# -- corrections after publication --------------------------------------------------------


class CorrectionReasonRequired(InvalidInput):
    reason = "CorrectionReasonRequired"
    message = (
        "This tender is published: it changes only by a versioned correction, sent to every "
        "party. Give the correction's reason."
    )


class DraftNeedsNoCorrection(InvalidInput):
    reason = "DraftNeedsNoCorrection"
    message = (
        "This tender is still a draft: it changes without a correction, so without a "
        "correction reason."
    )


class CorrectionAfterBidDeadline(Conflict):
    reason = "CorrectionAfterBidDeadline"
    message = "The bid deadline has passed: the tender can no longer be corrected."


class TenderNotCorrectable(Conflict):
    reason = "TenderNotCorrectable"
    message = "This tender is {state}: only a published tender can be corrected."


class LotCountFixed(InvalidInput):
    reason = "LotCountFixed"
    message = (
        "A correction keeps the tender's {count} lots (bids and questions refer to them): "
        "change them where they stand, or cancel the tender."
    )


class CriteriaCountFixed(InvalidInput):
    reason = "CriteriaCountFixed"
    message = (
        "A correction keeps the tender's {count} quality criteria (bids answer them): "
        "change their names, weights and values where they stand."
    )


class BidDeadlineMovedEarlier(InvalidInput):
    reason = "BidDeadlineMovedEarlier"
    message = "A correction may move the bid deadline later, never earlier than {deadline}."


class QuestionsDeadlinePassed(InvalidInput):
    reason = "QuestionsDeadlinePassed"
    message = "Questions closed at {deadline}: a correction no longer moves that deadline."


# -- re-tendering an unsuccessful lot --------------------------------------------------------


class LotNotUnsuccessful(Conflict):
    reason = "LotNotUnsuccessful"
    message = "Only an unsuccessful lot is re-tendered; this one is {state}."


class LotAlreadyRetendered(Conflict):
    reason = "LotAlreadyRetendered"
    message = "This lot is already being re-tendered (a tender not cancelled buys it again)."


class NothingToCorrect(InvalidInput):
    reason = "NothingToCorrect"
    message = "This correction changes nothing in the tender as published."


# -- evaluation: knock-out checks, quality scores, consensus ----------------------------------


class NotLeadAssessor(Forbidden):
    reason = "NotLeadAssessor"
    message = (
        "Only the procurement officers and evaluators of the coalition's lead municipality "
        "check bids."
    )


class NotLeadEvaluator(Forbidden):
    reason = "NotLeadEvaluator"
    message = "Only the evaluators of the coalition's lead municipality score bids."


class EvaluationClosed(Conflict):
    reason = "EvaluationClosed"
    message = "This tender is {state}: this part of its bids' evaluation cannot change now."


class CheckReasonNotExpected(InvalidInput):
    reason = "CheckReasonNotExpected"
    message = "Only a bid that fails the knock-out check has a reason."


class BidNotPassed(Conflict):
    reason = "BidNotPassed"
    message = "Only a bid that passed the knock-out check is scored."


class AlreadyScored(Conflict):
    reason = "AlreadyScored"
    message = (
        "You have scored this bid: your own scores stand as you gave them, before you could "
        "see anyone else's."
    )


class ScoreRequired(InvalidInput):
    reason = "ScoreRequired"
    message = "Score every quality criterion: {criterion} has no score."


class OwnScoresFirst(Conflict):
    reason = "OwnScoresFirst"
    message = "Give your own scores on this bid before agreeing its consensus score."


class TooFewEvaluators(Conflict):
    reason = "TooFewEvaluators"
    message = (
        "A consensus score needs the own scores of at least {minimum} evaluators; this bid "
        "has those of {count}."
    )


class EvaluationWouldReopen(Conflict):
    reason = "EvaluationWouldReopen"
    message = (
        "The evaluation of this tender is complete: this change would leave a passing bid "
        "without a consensus score."
    )


# -- the award decision ---------------------------------------------------------------------


class EvaluationNotComplete(Conflict):
    reason = "EvaluationNotComplete"
    message = (
        "The award is decided once every passing bid has its consensus scores; this tender "
        "is {state}."
    )


class AwardAlreadyDecided(Conflict):
    reason = "AwardAlreadyDecided"
    message = "The award on this tender has already been decided and sent to every bidder."


class LotNotAwardable(Conflict):
    reason = "LotNotAwardable"
    message = "Lot {number} is {state}: it has no award to decide."


class AwardLotMissing(InvalidInput):
    reason = "AwardLotMissing"
    message = (
        "Every bidder is sent the decision at the same moment: decide every open lot at "
        "once (lot {number} is missing)."
    )


# -- objections, contracts and their extensions ---------------------------------------------


class NotCoalitionMember(Forbidden):
    reason = "NotCoalitionMember"
    message = "Only the coalition's member municipalities may do this."


class NoStandingAwardDecision(Conflict):
    reason = "NoStandingAwardDecision"
    message = "This lot has no standing award decision."


class NotABidderOnLot(Forbidden):
    reason = "NotABidderOnLot"
    message = "Only a provider that bid on this lot may object to its award decision."


class ObjectingProviderRequired(InvalidInput):
    reason = "ObjectingProviderRequired"
    message = "Name the provider whose objection this is."


class StandstillEnded(Conflict):
    reason = "StandstillEnded"
    message = "The standstill ended at {endsAt}: objections could be made until then."


class ContractsAlreadySigned(Conflict):
    reason = "ContractsAlreadySigned"
    message = "A contract on this lot has been signed: an objection can no longer hold it up."


class ObjectionNotFound(NotFound):
    reason = "ObjectionNotFound"
    message = "No objection with this id exists."


class ObjectionAlreadyResolved(Conflict):
    reason = "ObjectionAlreadyResolved"
    message = "This objection has already been resolved."


class NoVolumeInLot(Conflict):
    reason = "NoVolumeInLot"
    message = "This municipality has no volume in this lot, so no contract on it."


class StandstillRunning(Conflict):
    reason = "StandstillRunning"
    message = "The standstill runs until {endsAt}: no contract can be signed before."


class ObjectionOpen(Conflict):
    reason = "ObjectionOpen"
    message = "An objection against this lot's award decision is open: resolve it first."


class ContractAlreadySigned(Conflict):
    reason = "ContractAlreadySigned"
    message = "This municipality has already signed its contract on this lot."


class ContractNotFound(NotFound):
    reason = "ContractNotFound"
    message = "No contract with this id exists."


class NotContractBuyer(Forbidden):
    reason = "NotContractBuyer"
    message = "Only the procurement officers of the contract's buyer may do this."


class NoExtensionLeft(Conflict):
    reason = "NoExtensionLeft"
    message = "Every extension option of this contract has been exercised."


class ExtensionPastLatestEnd(Conflict):
    reason = "ExtensionPastLatestEnd"
    message = (
        "The next extension would end the contract on {endsOn}, after its latest end date"
        " {latestEndDate}."
    )


class ContractEnded(Conflict):
    reason = "ContractEnded"
    message = "This contract ended on {endsOn}: it can no longer be extended."


# -- providers following tenders --------------------------------------------------------------


class NotFollowingStaff(Forbidden):
    reason = "NotFollowingStaff"
    message = "Only a provider's owners and editors may follow tenders for it."


class FollowingProviderRequired(InvalidInput):
    reason = "FollowingProviderRequired"
    message = "You are staff of several providers: choose the one you follow tenders for."


class FollowNotFound(NotFound):
    reason = "FollowNotFound"
    message = "No follow with this id exists."


class TooManyFollows(Conflict):
    reason = "TooManyFollows"
    message = "A provider follows at most {limit} routes and regions: unfollow some first."
